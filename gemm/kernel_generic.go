package gemm

import "github.com/simdnet/simdnet/internal/vec"

// genericKernel is the portable kernel: plain Go, any CPU, any build.
func genericKernel() Kernel {
	// Clip and LeakyReLU cost a compare per value in finishRow; the others
	// run on the whole stored tile, one vec call rather than one per row.
	k := Kernel{Name: "sgemm4x4Go", ISA: "generic", MR: 4, NR: 4, fn: sgemm4x4Go, acts: applyClip | applyLeaky}
	k.MC, k.KC, k.NC = blockSizes(k.MR, k.NR)
	return k
}

// sgemm4x4Go is the portable micro-kernel: a 4×4 tile held in sixteen local
// variables, which the Go compiler keeps in registers for most of the loop.
func sgemm4x4Go(k int, a []float32, aRS, aKS int, b []float32, bStride int, c []float32, ldc int, res []float32, ldr int, bias []float32, flags uint, _ []float32, act *Activation) {
	var c00, c01, c02, c03 float32
	var c10, c11, c12, c13 float32
	var c20, c21, c22, c23 float32
	var c30, c31, c32, c33 float32
	// Row i of the strip starts at a[i*aRS] and advances aKS per k step.
	last := (k - 1) * aKS
	r0 := a[: last+1 : last+1]
	r1 := a[aRS : aRS+last+1 : aRS+last+1]
	r2 := a[2*aRS : 2*aRS+last+1 : 2*aRS+last+1]
	r3 := a[3*aRS : 3*aRS+last+1 : 3*aRS+last+1]
	for p := 0; p < k; p++ {
		bp := b[p*bStride : p*bStride+4 : p*bStride+4]
		q := p * aKS
		a0, a1, a2, a3 := r0[q], r1[q], r2[q], r3[q]
		b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
	}
	tile := [4][4]float32{
		{c00, c01, c02, c03},
		{c10, c11, c12, c13},
		{c20, c21, c22, c23},
		{c30, c31, c32, c33},
	}
	for i := range tile {
		finishRow(tile[i][:], c[i*ldc:i*ldc+4], resRow(res, i, ldr, 4, flags), bias, flags, act)
	}
}

// resRow returns row i of the residual, n values, or nil when the flags do
// not ask for it.
func resRow(res []float32, i, ldr, n int, flags uint) []float32 {
	if flags&addResidual == 0 {
		return nil
	}
	return res[i*ldr : i*ldr+n]
}

// finishRow applies the micro-kernel's store rules (accumulate, residual,
// bias, ReLU, clip, LeakyReLU) to one row of a finished tile: dst =
// act(src + dst? + res? + bias?). It serves the portable kernels and the
// edge tiles of every kernel.
func finishRow(src, dst, res, bias []float32, flags uint, act *Activation) {
	dst = dst[:len(src)]
	if flags&accumulate != 0 {
		for j := range src {
			src[j] += dst[j]
		}
	}
	if flags&addResidual != 0 {
		res = res[:len(src)]
		for j := range src {
			src[j] += res[j]
		}
	}
	if flags&addBias != 0 {
		bias = bias[:len(src)]
		for j := range src {
			src[j] += bias[j]
		}
	}
	if flags&applyReLU != 0 {
		for j := range src {
			src[j] = max(src[j], 0)
		}
	}
	if flags&kernelActs != 0 {
		finishAct(src, flags, act)
	}
	copy(dst, src)
}

// finishAct applies the activations the kernels apply in registers, as
// vec.Activate does: the clip and the LeakyReLU element by element, the
// others through vec.Activate itself.
func finishAct(row []float32, flags uint, act *Activation) {
	if flags&applyClip != 0 {
		clip := Activation{Kind: ActClip, Lo: act.Lo, Hi: act.Hi}
		for j, v := range row {
			row[j] = clip.Apply(v)
		}
	}
	if flags&applyLeaky != 0 {
		leaky := Activation{Kind: ActLeakyReLU, Alpha: act.Alpha}
		for j, v := range row {
			row[j] = leaky.Apply(v)
		}
	}
	for _, k := range []ActKind{ActHardSwish, ActSigmoid, ActSiLU} {
		if flags&actFlag(k) != 0 {
			vec.Activate(row, row, Activation{Kind: k})
		}
	}
}

// sgemmKernelRef is the Go twin of every micro-kernel, for any MR×NR: the
// loop in microKernel's doc comment, written as plainly as possible. Tests run
// each assembly kernel against it on the same packed inputs.
func sgemmKernelRef(mr, nr, k int, a []float32, aRS, aKS int, b []float32, bStride int, c []float32, ldc int, res []float32, ldr int, bias []float32, flags uint, act *Activation) {
	cols := tileCols(nr, flags)
	row := make([]float32, cols)
	for i := 0; i < mr; i++ {
		for j := 0; j < cols; j++ {
			var t float32
			for p := 0; p < k; p++ {
				t += a[i*aRS+p*aKS] * b[p*bStride+j]
			}
			row[j] = t
		}
		finishRow(row, c[i*ldc:i*ldc+cols], resRow(res, i, ldr, cols, flags), bias, flags, act)
	}
}
