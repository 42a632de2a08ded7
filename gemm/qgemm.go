package gemm

import "fmt"

// This file is the int8 product's API: u8 activations times s8 weights,
// accumulated exactly in int32, then requantized to u8 (or dequantized to
// float32) in the epilogue. It is what the quantized planner calls; the
// kernels behind RunQ may change, these semantics may not.
//
// For each i < M, j < N:
//
//	acc  := Σ_p (int32(A[i][p]) - AZero) · int32(B[p][j])      exact int32
//	     =  Σ_p A[i][p]·B[p][j] - AZero·colSum[j]               (what kernels compute)
//	acc  += Bias[j]                                              (if Bias != nil)
//	v    := float32(acc) · Scale[j]                              (one rounding)
//	v    += float32(int32(R[i][j]) - RZero) · RScale             (if Residual != nil; product rounded first, no FMA)
//	then one of:
//	  C[i][j]   = u8(clamp(roundEven(v) + OutZero, Lo, Hi))      (C != nil)
//	  CF[i][j]  = v                                              (CF != nil; Lo/Hi unused)
//	  C32[i][j] = acc                                            (C32 != nil; Scale, Residual unused)
//
// The float32 steps are written out so that every kernel gives the same bits
// as the Go reference: multiply, round to float32, then add; never fused.
// Requantization folds the scales: Scale[j] = sA·sB[j]/sOut for a u8 output
// and sA·sB[j] for a float output; RScale = sR/sOut. ReLU is Lo = OutZero,
// ReLU6 is Hi = OutZero + round(6/sOut); no activation is Lo, Hi = 0, 255.

// PackedS8 is a k×n int8 weight matrix packed once for one int8 kernel's
// panels (see QKernel), with each column's sum over k kept for the
// zero-point correction.
type PackedS8 struct {
	k, n   int
	kern   QKernel // the kernel whose layout data is in
	groups int     // ⌈k / KGroup⌉
	data   []int8  // ⌈n / NR⌉ panels of groups·NR·KGroup bytes
	colSum []int32 // Σ_p B[p][j]
}

// PackS8 packs a row-major k×n int8 matrix b with leading dimension ldb for
// the selected int8 kernel.
func PackS8(k, n int, b []int8, ldb int) *PackedS8 { return PackS8For(SelectedQ(), k, n, b, ldb) }

// PackS8For packs b for the int8 kernel kern; RunQ then runs that kernel.
func PackS8For(kern QKernel, k, n int, b []int8, ldb int) *PackedS8 {
	if k < 0 || n < 0 {
		panic(fmt.Sprintf("gemm: PackS8: k = %d, n = %d: negative size", k, n))
	}
	if ldb < max(1, n) {
		panic(fmt.Sprintf("gemm: PackS8: ldb = %d < max(1, %d)", ldb, n))
	}
	if k > 0 && n > 0 && len(b) < (k-1)*ldb+n {
		panic(fmt.Sprintf("gemm: PackS8: len(b) = %d < %d for a %d×%d matrix with ldb = %d", len(b), (k-1)*ldb+n, k, n, ldb))
	}
	if kern.fn == nil {
		panic("gemm: PackS8For: a QKernel that is not one of QKernels()")
	}
	kg, nr := kern.KGroup, kern.NR
	groups := (k + kg - 1) / kg
	panels := (n + nr - 1) / nr
	pb := &PackedS8{k: k, n: n, kern: kern, groups: groups,
		data: make([]int8, panels*kern.panelBytes(groups)), colSum: make([]int32, n)}
	for p := 0; p < k; p++ {
		row := b[p*ldb : p*ldb+n]
		g, t := p/kg, p%kg
		for j, w := range row {
			panel := pb.data[(j/nr)*kern.panelBytes(groups):]
			panel[(g*nr+j%nr)*kg+t] = w
			pb.colSum[j] += int32(w)
		}
	}
	return pb
}

// K and N give the packed operand's shape.
func (pb *PackedS8) K() int { return pb.k }
func (pb *PackedS8) N() int { return pb.n }

// Kernel is the int8 kernel the operand is packed for.
func (pb *PackedS8) Kernel() QKernel { return pb.kern }

// ColSums returns Σ_p B[p][j] for every column j (read-only).
func (pb *PackedS8) ColSums() []int32 { return pb.colSum }

// At returns B[p][j] from the packed panels.
func (pb *PackedS8) At(p, j int) int8 {
	kg, nr := pb.kern.KGroup, pb.kern.NR
	return pb.data[(j/nr)*pb.kern.panelBytes(pb.groups)+(p/kg*nr+j%nr)*kg+p%kg]
}

// panel returns the packed panel holding columns jr·NR onwards.
func (pb *PackedS8) panel(jr int) []int8 {
	size := pb.kern.panelBytes(pb.groups)
	return pb.data[jr*size : (jr+1)*size]
}

// QParams describes one int8 product; see the file comment for its formula.
// Exactly one of C, CF and C32 is set.
type QParams struct {
	M, N, K int

	A     []uint8 // m×k row-major, leading dimension LDA
	LDA   int
	AZero int32 // the activations' zero point, 0..255

	B *PackedS8

	Bias  []int32   // optional, N values in accumulator units (bias/(sA·sB[j]))
	Scale []float32 // N values; unused for C32

	Residual []uint8 // optional m×n u8 tensor added after scaling
	LDR      int
	RZero    int32
	RScale   float32

	C       []uint8 // u8 output, leading dimension LDC
	OutZero int32
	Lo, Hi  uint8 // clamp of the u8 output (Lo ≤ Hi)

	CF  []float32 // or a float32 output
	C32 []int32   // or the raw int32 accumulators
	LDC int

	Threads int // goroutines to use; 0: GOMAXPROCS
}

// RunQ computes the int8 product p describes. Argument errors panic, as in Run.
func RunQ(p *QParams) {
	p.check()
	if p.M == 0 || p.N == 0 {
		return
	}
	runQ(p)
}

func (p *QParams) check() {
	if p.M < 0 || p.N < 0 || p.K < 0 {
		panic(fmt.Sprintf("gemm: RunQ: m, n, k = %d, %d, %d: negative size", p.M, p.N, p.K))
	}
	if p.B == nil || p.B.k != p.K || p.B.n != p.N {
		panic(fmt.Sprintf("gemm: RunQ: packed b does not hold a k×n = %d×%d matrix", p.K, p.N))
	}
	checkBytes("a", "lda", len(p.A), p.LDA, p.M, p.K)
	outs := 0
	if p.C != nil {
		outs++
		checkBytes("c", "ldc", len(p.C), p.LDC, p.M, p.N)
		if p.Lo > p.Hi {
			panic(fmt.Sprintf("gemm: RunQ: lo = %d > hi = %d", p.Lo, p.Hi))
		}
	}
	if p.CF != nil {
		outs++
		checkBytes("cf", "ldc", len(p.CF), p.LDC, p.M, p.N)
	}
	if p.C32 != nil {
		outs++
		checkBytes("c32", "ldc", len(p.C32), p.LDC, p.M, p.N)
	}
	if outs != 1 {
		panic(fmt.Sprintf("gemm: RunQ: %d outputs set; want exactly one of c, cf, c32", outs))
	}
	if p.AZero < 0 || p.AZero > 255 {
		panic(fmt.Sprintf("gemm: RunQ: a zero point %d outside 0..255", p.AZero))
	}
	if p.Bias != nil && len(p.Bias) < p.N {
		panic(fmt.Sprintf("gemm: RunQ: len(bias) = %d < n = %d", len(p.Bias), p.N))
	}
	if p.C32 == nil && len(p.Scale) < p.N {
		panic(fmt.Sprintf("gemm: RunQ: len(scale) = %d < n = %d", len(p.Scale), p.N))
	}
	if p.Residual != nil {
		checkBytes("residual", "ldr", len(p.Residual), p.LDR, p.M, p.N)
	}
	if p.Threads < 0 {
		panic(fmt.Sprintf("gemm: RunQ: threads = %d < 0", p.Threads))
	}
}

// checkBytes is checkMatrix for a slice of any element type, given its length.
func checkBytes(name, ldName string, n, ld, rows, cols int) {
	if ld < max(1, cols) {
		panic(fmt.Sprintf("gemm: %s = %d < max(1, %d)", ldName, ld, cols))
	}
	if rows == 0 || cols == 0 {
		return
	}
	need, ok := extent(rows, ld, cols)
	if !ok || n < need {
		panic(fmt.Sprintf("gemm: len(%s) = %d too short for a %d×%d matrix with %s = %d", name, n, rows, cols, ldName, ld))
	}
}
