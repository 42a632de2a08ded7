package train

import (
	"github.com/simdnet/simdnet/gemm"
	"github.com/simdnet/simdnet/ops"
)

// denseBackward computes a Dense layer's gradients from the gradient of its
// output, g: first through the fused activation (none for an output whose
// softmax the loss took), then with dZ the pre-activation gradient,
//
//	dW = Xᵀ·dZ,  db = Σ rows of dZ,  dX = dZ·Wᵀ (added to dx when accum)
func (p *plan) denseBackward(ws *workspace, nd *ops.Node, l *ops.Dense, g, dx []float32, accum bool) {
	x, out := ws.out[nd.Inputs[0].ID], ws.out[nd.ID]
	k, u := l.InFeatures(), l.Units
	m := len(x.Data) / k
	act := l.Activation
	if nd == p.output && p.logitsOut {
		act = ops.Linear
	}
	dz := g
	switch act {
	case ops.ReLU:
		dz = ws.tmp[:len(g)]
		maskedCopy(dz, g, out.Data, false)
	case ops.Softmax:
		dz = ws.tmp[:len(g)]
		softmaxBackward(dz, g, out.Data, u, false)
	case ops.Linear:
	default: // an activation whose derivative follows from the output (see supported)
		dz = ws.tmp[:len(g)]
		actGrad(act, dz, g, nil, out.Data, false)
	}
	gemm.Run(&gemm.Params{
		M: k, N: u, K: m, Alpha: 1,
		A: x.Data, LDA: k, TransA: true,
		B: dz, LDB: u,
		C: p.gradOf[l.Kernel], LDC: u,
	})
	if db := p.gradOf[l.Bias]; l.Bias != nil && db != nil {
		columnSums(db, dz, u)
	}
	p.prof.lap(nd.ID, phaseWeights)
	if dx == nil {
		return
	}
	var beta float32
	if accum {
		beta = 1
	}
	gemm.Run(&gemm.Params{
		M: m, N: k, K: u, Alpha: 1, Beta: beta,
		A: dz, LDA: u,
		B: l.Kernel.Value, LDB: u, TransB: true,
		C: dx, LDC: k,
	})
}

// columnSums writes the sums of the columns of the row-major matrix a (rows
// of width n) into dst, accumulating in float64 in row order.
func columnSums(dst, a []float32, n int) {
	for j := range dst {
		var s float64
		for i := j; i < len(a); i += n {
			s += float64(a[i])
		}
		dst[j] = float32(s)
	}
}
