package train

import (
	"github.com/simdnet/simdnet/internal/parallel"

	"github.com/simdnet/simdnet/gemm"
	"github.com/simdnet/simdnet/im2col"
	"github.com/simdnet/simdnet/ops"
)

// transposedConv computes a stride-1 convolution's input gradient as a
// convolution itself: dX is dY, padded by the window minus the forward's
// padding, convolved with the kernel turned by 180° and with its channel
// axes swapped. That runs as the forward does, patches of dY packed
// straight from it times the turned kernel, with no patch-gradient matrix
// and no col2im, which pays when there are many more rows than filters.
func (p *plan) transposedConv(st *convState, l *ops.Conv2D, geo im2col.Geometry, dy, dx []float32, accum bool) {
	kh, kw, c, f := geo.KH, geo.KW, geo.C, l.Filters
	if len(st.flip) != l.Kernel.Len() {
		st.flip = make([]float32, l.Kernel.Len()) // once: only these layers need it
	}
	turnKernel(st.flip, l.Kernel.Value, kh, kw, c, f)
	tg := im2col.Geometry{
		N: geo.N, H: geo.OutH(), W: geo.OutW(), C: f,
		KH: kh, KW: kw, SH: 1, SW: 1,
		PadTop: kh - 1 - geo.PadTop, PadBottom: kh - 1 - geo.PadBottom,
		PadLeft: kw - 1 - geo.PadLeft, PadRight: kw - 1 - geo.PadRight,
	}
	if st.bwd == nil || st.bwd.Geometry() != tg || &st.bwdSrc[0] != &dy[0] {
		st.bwd, st.bwdSrc = im2col.NewPacker(dy, tg), dy
	}
	var beta float32
	if accum {
		beta = 1
	}
	gemm.Run(&gemm.Params{
		M: tg.Rows(), N: c, K: tg.Cols(), Alpha: 1, Beta: beta,
		APack: st.bwd,
		B:     st.flip, LDB: c,
		C: dx, LDC: c,
	})
}

// turnKernel writes the kernel w [kh, kw, c, f] turned by 180° with its
// channel axes swapped: dst[ky, kx, f, ch] = w[kh-1-ky, kw-1-kx, ch, f].
// Each tap is a c×f transpose, done eight source rows at a time so that
// every write is a run of eight values: a plain column-by-column transpose
// of these power-of-two matrices keeps evicting its own cache lines.
func turnKernel(dst, w []float32, kh, kw, c, f int) {
	taps := kh * kw
	parallel.For(taps, parallel.Grain(c*f), func(lo, hi int) {
		for t := lo; t < hi; t++ {
			src := w[(taps-1-t)*c*f : (taps-t)*c*f]
			out := dst[t*c*f : (t+1)*c*f]
			ch := 0
			for ; ch+8 <= c; ch += 8 {
				r0, r1, r2, r3 := src[ch*f:][:f], src[(ch+1)*f:][:f], src[(ch+2)*f:][:f], src[(ch+3)*f:][:f]
				r4, r5, r6, r7 := src[(ch+4)*f:][:f], src[(ch+5)*f:][:f], src[(ch+6)*f:][:f], src[(ch+7)*f:][:f]
				for j := range f {
					d := (*[8]float32)(out[j*c+ch:])
					d[0], d[1], d[2], d[3] = r0[j], r1[j], r2[j], r3[j]
					d[4], d[5], d[6], d[7] = r4[j], r5[j], r6[j], r7[j]
				}
			}
			for ; ch < c; ch++ {
				for j, v := range src[ch*f : (ch+1)*f] {
					out[j*c+ch] = v
				}
			}
		}
	})
}
