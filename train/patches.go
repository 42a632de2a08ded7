package train

import "github.com/simdnet/simdnet/im2col"

// patchesT is the transpose of a convolution's patch matrix (see package
// im2col), optionally with one more row of ones, as a gemm.APacker. Row q
// is the kernel tap and channel q of every patch, column r is patch r. The
// product patchesT·dY is then the kernel gradient, and the row of ones
// turns the extra output row into the bias gradient, the column sums of dY,
// at no extra pass. The matrix is never built: each packed value is read
// from the input, and a strip of A is a run of consecutive taps of one
// patch, which in NHWC is mostly one contiguous run of the input.
type patchesT struct {
	src    []float32
	g      im2col.Geometry
	oh, ow int
	k      int  // patch length, KH·KW·C: the row of ones is row k
	ones   bool // whether row k exists
}

func (pt *patchesT) reset(src []float32, g im2col.Geometry, ones bool) {
	*pt = patchesT{src: src, g: g, oh: g.OutH(), ow: g.OutW(), k: g.Cols(), ones: ones}
}

// rows is the number of rows of the matrix.
func (pt *patchesT) rows() int {
	if pt.ones {
		return pt.k + 1
	}
	return pt.k
}

// PackA writes rows [i0, i0+mc) and columns [p0, p0+kc) in the layout of
// gemm.APacker: dst[s*kc*mr + p*mr + i] = A[i0+s*mr+i][p0+p], zero past
// row i0+mc. Most strips are mr taps of one kernel row lying inside the
// image, a single run of the input copied as one block; segment handles
// the rest (padding, kernel-row ends, the row of ones).
func (pt *patchesT) PackA(dst []float32, i0, mc, p0, kc, mr int) {
	g := &pt.g
	strips := (mc + mr - 1) / mr
	rowLen := g.KW * g.C
	ky0, j0 := i0/rowLen, i0%rowLen
	pointwise := g.Pointwise()
	if pointwise && g.SH == 1 && g.SW == 1 {
		pt.packDense(dst, i0, mc, p0, kc, mr)
		return
	}
	for p := range kc {
		base, ih0, iw0 := pt.origin(p0 + p)
		// Values [lo, hi) of every kernel row lie inside the image.
		lo := max(0, -iw0) * g.C
		hi := max(lo, min(g.KW, g.W-iw0)*g.C)
		ky, j := ky0, j0
		for s := range strips {
			out := dst[s*kc*mr+p*mr : s*kc*mr+p*mr+mr]
			q0 := i0 + s*mr
			n := min(mr, i0+mc-q0)
			ih := ih0 + ky
			switch {
			case pointwise && q0+n <= pt.k:
				copyRun(out, pt.src[base+(ih0*g.W+iw0)*g.C+q0:], n)
			case n == mr && q0+mr <= pt.k && j >= lo && j+mr <= hi && ih >= 0 && ih < g.H:
				copyRun(out, pt.src[base+(ih*g.W+iw0)*g.C+j:], mr)
			case n == mr && q0+mr <= pt.k && lo == 0 && hi == rowLen && j+mr > rowLen && j+mr-rowLen <= rowLen && ih >= 0 && ih+1 < g.H:
				// The strip ends a kernel row and starts the next, both
				// wholly inside the image: two runs (the first convolution's
				// short rows of 7·3 values make this the common case).
				a := rowLen - j
				row := base + (ih*g.W+iw0)*g.C
				for i, v := range pt.src[row+j : row+rowLen] {
					out[i] = v
				}
				row += g.W * g.C
				for i, v := range pt.src[row : row+mr-a] {
					out[a+i] = v
				}
			default:
				pt.segment(out[:n], base, ih0, iw0, q0)
			}
			if n < mr {
				clear(out[n:])
			}
			for j += mr; j >= rowLen; j -= rowLen {
				ky++
			}
		}
	}
}

// packDense is PackA for a 1×1 stride-1 convolution, whose patch matrix is
// the input itself (pixels × channels): each strip is a run of one pixel's
// channels, and the row of ones, when asked for, follows the last channel.
func (pt *patchesT) packDense(dst []float32, i0, mc, p0, kc, mr int) {
	c := pt.g.C
	n := min(mc, pt.k-i0) // rows that are channels
	full := n / mr
	one := pt.k - i0 // the strip row of ones, if it is in range
	for p := range kc {
		row := pt.src[(p0+p)*c+i0:][:n]
		for s := range full {
			copyRun(dst[s*kc*mr+p*mr:], row[s*mr:], mr)
		}
		for s := full; s*mr < mc; s++ {
			out := dst[s*kc*mr+p*mr:][:mr]
			lo := s * mr
			m := max(0, min(mr, n-lo))
			copy(out[:m], row[lo:lo+m])
			clear(out[m:])
			if pt.ones && one >= lo && one < lo+mr && one < mc {
				out[one-lo] = 1
			}
		}
	}
}

// origin returns the batch offset and the top-left input coordinates
// (possibly in the padding) of patch r's window.
func (pt *patchesT) origin(r int) (base, ih0, iw0 int) {
	g := &pt.g
	n := r / (pt.oh * pt.ow)
	rem := r - n*pt.oh*pt.ow
	y := rem / pt.ow
	x := rem - y*pt.ow
	return n * g.H * g.W * g.C, y*g.SH - g.PadTop, x*g.SW - g.PadLeft
}

// copyRun copies n values from src to out, as block moves for the strip
// heights of the AVX-512 and AVX2 kernels. Twelve values go as three
// 16-byte moves: one [12]float32 assignment compiles to a call of
// runtime.memmove, which cost 3% of a training step.
func copyRun(out, src []float32, n int) {
	switch n {
	case 12:
		out, src = out[:12], src[:12]
		*(*[4]float32)(out) = *(*[4]float32)(src)
		*(*[4]float32)(out[4:]) = *(*[4]float32)(src[4:])
		*(*[4]float32)(out[8:]) = *(*[4]float32)(src[8:])
	case 6:
		*(*[6]float32)(out) = *(*[6]float32)(src)
	default:
		copy(out[:n], src[:n])
	}
}

// segment writes taps [q0, q0+len(out)) of the patch whose window starts at
// (ih0, iw0) of the image at base.
func (pt *patchesT) segment(out []float32, base, ih0, iw0, q0 int) {
	g := &pt.g
	if q0+len(out) > pt.k { // the row of ones
		out[pt.k-q0] = 1
		out = out[:pt.k-q0]
	}
	if g.Pointwise() {
		off := base + (ih0*g.W+iw0)*g.C + q0
		copy(out, pt.src[off:off+len(out)])
		return
	}
	rowLen := g.KW * g.C
	// Values [lo, hi) of every kernel row lie inside the image.
	lo := max(0, -iw0) * g.C
	hi := max(lo, min(g.KW, g.W-iw0)*g.C)
	for len(out) > 0 {
		ky, j := q0/rowLen, q0%rowLen
		end := min(rowLen, j+len(out))
		run := out[:end-j]
		out, q0 = out[end-j:], q0+end-j
		ih := ih0 + ky
		if ih < 0 || ih >= g.H {
			clear(run)
			continue
		}
		a, b := min(max(j, lo), end), max(min(end, hi), j) // the part inside the image
		if a >= b {
			clear(run)
			continue
		}
		clear(run[:a-j])
		row := base + (ih*g.W+iw0)*g.C // may point left of the image; [lo, hi) does not
		copy(run[a-j:b-j], pt.src[row+a:row+b])
		clear(run[b-j:])
	}
}
