package train

import (
	"github.com/simdnet/simdnet/internal/parallel"

	"github.com/simdnet/simdnet/gemm"
	"github.com/simdnet/simdnet/im2col"
	"github.com/simdnet/simdnet/ops"
)

// convState is a convolution's training scratch: the packer of its
// transposed patches, and its gradient block, kernel then bias, which is
// laid out as the (KH·KW·C + 1)×F product that computes both.
type convState struct {
	pt     patchesT
	grad   []float32
	fwd    *im2col.Packer // the forward's packer, and the input it packs
	fwdSrc []float32
	bwd    *im2col.Packer // the input gradient's packer of dY, and its dY
	bwdSrc []float32
	flip   []float32 // the kernel turned for the transposed convolution
}

// convChunkRows is about how many patch rows one chunk of the input-gradient
// product takes: enough for gemm to work at full speed, few enough that the
// patch gradients stay in cache for col2im.
const convChunkRows = 1024

// convChunk returns how many output rows and whole images make one chunk of
// the input-gradient product for output shape (OH, OW, F).
func convChunk(batch int, out ops.Shape) (rows, images int) {
	per := out[0] * out[1]
	images = min(batch, max(1, (convChunkRows+per-1)/per))
	return images * per, images
}

// convBackward computes a convolution's kernel and bias gradients and, when
// dx is not nil, its input gradient (added to dx when accum is set). With
// X the patch matrix (M×K), W the kernel as K×F and dY the output gradient
// (M×F):
//
//	[dW; db] = [Xᵀ; 1]·dY     one product, A packed from the input
//	dX       = col2im(dY·Wᵀ)  in chunks of images; for a 1×1 stride-1
//	                          convolution dY·Wᵀ is dX itself, and other
//	                          stride-1 ones with many rows run it as a
//	                          transposed convolution (transposedConv)
func (p *plan) convBackward(ws *workspace, nd *ops.Node, l *ops.Conv2D, dy, dx []float32, accum bool) {
	x := ws.out[nd.Inputs[0].ID]
	geo, _ := l.Geometry(ws.batch, x.Shape[1:])
	st := p.state[nd.ID].(*convState)
	st.pt.reset(x.Data, geo, l.Bias != nil)
	m, k, f := geo.Rows(), geo.Cols(), l.Filters
	gemm.Run(&gemm.Params{
		M: st.pt.rows(), N: f, K: m, Alpha: 1,
		APack: &st.pt,
		B:     dy, LDB: f,
		C: st.grad, LDC: f,
		SplitK: true,
	})
	p.prof.lap(nd.ID, phaseWeights)
	if dx == nil {
		return
	}
	w := l.Kernel.Value
	switch inputGradPath(geo, f) {
	case denseGrad:
		var beta float32
		if accum {
			beta = 1
		}
		gemm.Run(&gemm.Params{
			M: m, N: k, K: f, Alpha: 1, Beta: beta,
			A: dy, LDA: f,
			B: w, LDB: f, TransB: true,
			C: dx, LDC: k,
		})
	case transposedGrad:
		p.transposedConv(st, l, geo, dy, dx, accum)
	default:
		p.col2imInputGrad(ws, nd, geo, dy, w, dx, accum)
	}
}

// gradPath is how a convolution computes its input gradient.
type gradPath uint8

const (
	col2imGrad     gradPath = iota // patch gradients dY·Wᵀ scattered by col2im
	denseGrad                      // 1×1 stride 1: dY·Wᵀ is dX
	transposedGrad                 // stride 1: a convolution of dY
)

// inputGradPath picks the path for geometry g and f filters. The transposed
// convolution turns the kernel each step (K·F values) to save writing and
// reading the patch gradients (M·K values): it pays when the rows M are
// well above the filters, as in all but the last stage.
func inputGradPath(g im2col.Geometry, f int) gradPath {
	switch {
	case g.SH != 1 || g.SW != 1:
		return col2imGrad
	case g.Pointwise():
		return denseGrad
	case g.Rows() >= 2*f:
		return transposedGrad
	}
	return col2imGrad
}

// col2imInputGrad computes the input gradient as dY·Wᵀ, the gradient of every
// patch, in chunks of images, each scattered back onto dX by col2im while
// it is in cache.
func (p *plan) col2imInputGrad(ws *workspace, nd *ops.Node, geo im2col.Geometry, dy, w, dx []float32, accum bool) {
	k, f := geo.Cols(), nd.Shape[2]
	per := geo.OutH() * geo.OutW()
	inLen := geo.H * geo.W * geo.C
	_, imgs := convChunk(ws.batch, nd.Shape)
	one := geo
	one.N = 1
	for n0 := 0; n0 < ws.batch; n0 += imgs {
		n1 := min(ws.batch, n0+imgs)
		rows := (n1 - n0) * per
		dcol := ws.dcol[:rows*k]
		gemm.Run(&gemm.Params{
			M: rows, N: k, K: f, Alpha: 1,
			A: dy[n0*per*f:], LDA: f,
			B: w, LDB: f, TransB: true,
			C: dcol, LDC: k,
		})
		parallel.For(n1-n0, 1, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				img := dx[(n0+i)*inLen : (n0+i+1)*inLen]
				if !accum {
					clear(img)
				}
				im2col.Col2ImAdd(img, dcol[i*per*k:(i+1)*per*k], one)
			}
		})
	}
}
