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
		patchGrads(ws, dx, dy, w, m, k, f, accum)
	case transposedGrad:
		p.transposedConv(st, l, geo, dy, dx, accum)
	default:
		p.col2imInputGrad(ws, nd, geo, dy, w, dx, accum)
	}
}

// patchGrads writes dY·Wᵀ, rows×k, into dst (adds it when accum is set),
// for dY rows×f and the kernel W as k×f. With few rows against k and f
// (the last stage: 128 rows of 512 to 4608 values at batch 32) it computes
// the transpose W·dYᵀ instead, into ws.dcolT, and transposes that into
// dst: W is then read in place rather than packed transposed for a
// handful of rows (one thread, 128×4608×512: 4.39 → 3.88 ms with the
// transpose; 4.02 → 3.33 ms for 128×1024×2048). The choice depends on
// the shape alone, and each value is the same dot product either way up to
// the kernels' order, so results do not depend on the thread count.
func patchGrads(ws *workspace, dst, dy, w []float32, rows, k, f int, accum bool) {
	if swapPatchGrads(rows, k, f) {
		t := ws.dcolT[:k*rows]
		gemm.Run(&gemm.Params{
			M: k, N: rows, K: f, Alpha: 1,
			A: w, LDA: f,
			B: dy, LDB: f, TransB: true,
			C: t, LDC: rows,
		})
		transposeInto(dst, t, k, rows, accum)
		return
	}
	var beta float32
	if accum {
		beta = 1
	}
	gemm.Run(&gemm.Params{
		M: rows, N: k, K: f, Alpha: 1, Beta: beta,
		A: dy, LDA: f,
		B: w, LDB: f, TransB: true,
		C: dst, LDC: k,
	})
}

// swapPatchGrads is whether patchGrads computes the transposed product: when
// the rows are at most a quarter of both k and f (measured: 512 rows of
// stage 4 are as fast or faster the direct way).
func swapPatchGrads(rows, k, f int) bool { return 4*rows <= min(k, f) }

// transposeInto writes the rows×cols matrix src transposed into dst
// (cols×rows), or adds it when accum is set, eight source rows at a time
// so that every write is a run of eight values; the goroutines take
// disjoint blocks of source rows.
func transposeInto(dst, src []float32, rows, cols int, accum bool) {
	blocks := (rows + 7) / 8
	parallel.For(blocks, parallel.Grain(8*cols), func(lo, hi int) {
		for b := lo; b < hi; b++ {
			r := 8 * b
			if r+8 > rows {
				for ; r < rows; r++ {
					for j, v := range src[r*cols : (r+1)*cols] {
						if accum {
							dst[j*rows+r] += v
						} else {
							dst[j*rows+r] = v
						}
					}
				}
				continue
			}
			s0, s1, s2, s3 := src[r*cols:][:cols], src[(r+1)*cols:][:cols], src[(r+2)*cols:][:cols], src[(r+3)*cols:][:cols]
			s4, s5, s6, s7 := src[(r+4)*cols:][:cols], src[(r+5)*cols:][:cols], src[(r+6)*cols:][:cols], src[(r+7)*cols:][:cols]
			for j := range cols {
				d := (*[8]float32)(dst[j*rows+r:])
				if accum {
					d[0], d[1], d[2], d[3] = d[0]+s0[j], d[1]+s1[j], d[2]+s2[j], d[3]+s3[j]
					d[4], d[5], d[6], d[7] = d[4]+s4[j], d[5]+s5[j], d[6]+s6[j], d[7]+s7[j]
					continue
				}
				d[0], d[1], d[2], d[3] = s0[j], s1[j], s2[j], s3[j]
				d[4], d[5], d[6], d[7] = s4[j], s5[j], s6[j], s7[j]
			}
		}
	})
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
		patchGrads(ws, dcol, dy[n0*per*f:], w, rows, k, f, false)
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
