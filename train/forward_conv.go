package train

import (
	"github.com/simdnet/simdnet/gemm"
	"github.com/simdnet/simdnet/im2col"
	"github.com/simdnet/simdnet/ops"
)

// convForward is Conv2D's forward as the layer computes it (one product,
// patches × kernel + bias), with the packer kept across steps.
func convForward(l *ops.Conv2D, st *convState, out, x *ops.Tensor) {
	geo, _ := l.Geometry(x.Shape[0], x.Shape[1:])
	p := l.Product(out.Data, x.Data, geo, st.packer(x.Data, geo))
	gemm.Run(&p)
}

// packer returns an im2col packer for src, made once per input buffer.
func (st *convState) packer(src []float32, g im2col.Geometry) *im2col.Packer {
	if st.fwd == nil || st.fwd.Geometry() != g || &st.fwdSrc[0] != &src[0] {
		st.fwd, st.fwdSrc = im2col.NewPacker(src, g), src
	}
	return st.fwd
}
