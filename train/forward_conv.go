package train

import (
	"github.com/simdnet/simdnet/gemm"
	"github.com/simdnet/simdnet/im2col"
	"github.com/simdnet/simdnet/ops"
)

// convForward is Conv2D's forward as the layer computes it, one product
// patches × kernel + bias, but run through runGemm: in the deep layers the
// kernel is far larger than the few rows of patches, and gemm's own split
// would pack it on every goroutine.
func convForward(l *ops.Conv2D, st *convState, out, x *ops.Tensor) {
	geo, _ := l.Geometry(x.Shape[0], x.Shape[1:])
	p := gemm.Params{
		M: geo.Rows(), N: l.Filters, K: geo.Cols(), Alpha: 1,
		B: l.Kernel.Value, LDB: l.Filters,
		C: out.Data, LDC: l.Filters,
	}
	if l.Bias != nil {
		p.Bias = l.Bias.Value
	}
	if geo.Pointwise() && geo.SH == 1 && geo.SW == 1 {
		p.A, p.LDA = x.Data, geo.C
	} else {
		p.APack = st.packer(x.Data, geo)
	}
	runGemm(p)
}

// packer returns an im2col packer for src, made once per input buffer.
func (st *convState) packer(src []float32, g im2col.Geometry) *im2col.Packer {
	if st.fwd == nil || st.fwd.Geometry() != g || &st.fwdSrc[0] != &src[0] {
		st.fwd, st.fwdSrc = im2col.NewPacker(src, g), src
	}
	return st.fwd
}
