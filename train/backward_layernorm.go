package train

import (
	"github.com/simdnet/simdnet/internal/parallel"
	"github.com/simdnet/simdnet/ops"
)

// lnChunk is how many channel vectors share one partial sum of the gamma
// and beta gradients.
const lnChunk = 64

func init() {
	register[*ops.LayerNormalization](layerTraining{
		newState: func(nd *ops.Node, batch int) any {
			c := nd.Shape[len(nd.Shape)-1]
			rows := batch * nd.Shape.Len() / c
			return make([]float32, 2*c*parallel.NumChunks(rows, lnChunk))
		},
		backward: layerNormBackward,
	})
}

// layerNormBackward recomputes each row's statistics and, with
// x̂ = (x - mean)·inv and ĝ = dy·gamma,
//
//	dx = inv · (ĝ - mean(ĝ) - x̂·mean(ĝ·x̂)),  dgamma = Σ dy·x̂,  dbeta = Σ dy
//
// the parameter sums taken per chunk of rows and added in chunk order.
func layerNormBackward(bc *backwardCtx) {
	l := bc.nd.Layer.(*ops.LayerNormalization)
	partial := bc.state.([]float32)
	x := bc.in[0].Data
	c := bc.nd.Shape[len(bc.nd.Shape)-1]
	rows := len(x) / c
	dx, accum := bc.dx[0], bc.accum[0]
	parallel.Chunks(rows, lnChunk, 3*c, func(ch, lo, hi int) {
		dg, db := partial[2*c*ch:][:c], partial[2*c*ch+c:][:c]
		clear(dg)
		clear(db)
		xh := make([]float32, c)
		for r := lo; r < hi; r++ {
			xr, gr := x[r*c:(r+1)*c], bc.dy[r*c:(r+1)*c]
			mean, inv := l.RowStatistics(xr)
			var sg, sgx float64
			for i, v := range xr {
				xh[i] = float32((float64(v) - mean) * inv)
				dg[i] += gr[i] * xh[i]
				db[i] += gr[i]
				gh := float64(gr[i])
				if l.Gamma != nil {
					gh *= float64(l.Gamma.Value[i])
				}
				sg += gh
				sgx += gh * float64(xh[i])
			}
			if dx == nil {
				continue
			}
			mg, mgx := sg/float64(c), sgx/float64(c)
			d := dx[r*c : (r+1)*c]
			for i := range d {
				gh := float64(gr[i])
				if l.Gamma != nil {
					gh *= float64(l.Gamma.Value[i])
				}
				v := float32(inv * (gh - mg - float64(xh[i])*mgx))
				if accum {
					v += d[i]
				}
				d[i] = v
			}
		}
	})
	for k, p := range []*ops.Param{l.Gamma, l.Beta} {
		if p == nil || bc.grad(p) == nil {
			continue
		}
		g := bc.grad(p)
		clear(g)
		for ch := 0; ch < parallel.NumChunks(rows, lnChunk); ch++ {
			for i, v := range partial[2*c*ch+k*c:][:c] {
				g[i] += v
			}
		}
	}
}
