package train

import (
	"github.com/simdnet/simdnet/gemm"
	"github.com/simdnet/simdnet/ops"
)

func init() {
	register[*ops.SeparableConv2D](layerTraining{
		newState: newSeparableState,
		forward:  separableForward,
		backward: separableBackward,
	})
}

// separableState keeps the depthwise half's output (the pointwise
// product's input), the pre-activation output when there is an
// activation, and the depthwise half's gradient room.
type separableState struct {
	mid, pre *ops.Tensor
	dmid     []float32
	partial  []float32
}

func newSeparableState(nd *ops.Node, batch int) any {
	l := nd.Layer.(*ops.SeparableConv2D)
	midShape, _ := l.Depthwise.OutputShape(nd.Inputs[0].Shape)
	st := &separableState{mid: ops.NewTensor(append([]int{batch}, midShape...)...), partial: depthwisePartials(l.Depthwise, batch)}
	st.dmid = make([]float32, st.mid.Len())
	st.pre = newPreActivation(l.Activation, batch, nd.Shape)
	return st
}

func separableForward(c *forwardCtx) error {
	l := c.nd.Layer.(*ops.SeparableConv2D)
	st := c.state.(*separableState)
	if err := l.Depthwise.Forward(st.mid, c.in, c.mode); err != nil {
		return err
	}
	pw := *l.Pointwise
	pw.Activation = l.Activation // the layer's field is the one to honour
	return forwardActivated(&pw, st.pre, c.out, []*ops.Tensor{st.mid}, c.mode)
}

// separableBackward takes the gradient through the activation and the 1×1
// product (dW = midᵀ·dZ, db = Σ dZ, dMid = dZ·Wᵀ), then through the
// depthwise half.
func separableBackward(c *backwardCtx) {
	l := c.nd.Layer.(*ops.SeparableConv2D)
	st := c.state.(*separableState)
	dz := throughActivation(l.Activation, st.pre, c)
	f := l.Filters
	cm := st.mid.Shape[3]
	rows := st.mid.Len() / cm
	gemm.Run(&gemm.Params{M: cm, N: f, K: rows, Alpha: 1, A: st.mid.Data, LDA: cm, TransA: true,
		B: dz, LDB: f, C: c.grad(l.Pointwise.Kernel), LDC: f, SplitK: true})
	if l.Pointwise.Bias != nil {
		columnSums(c.grad(l.Pointwise.Bias), dz, f)
	}
	gemm.Run(&gemm.Params{M: rows, N: cm, K: f, Alpha: 1, A: dz, LDA: f,
		B: l.Pointwise.Kernel.Value, LDB: f, TransB: true, C: st.dmid, LDC: cm})
	x := c.in[0]
	g, _ := l.Depthwise.Geometry(x.Shape[0], x.Shape[1:])
	depthwiseGrad(l.Depthwise, g, st.partial, x.Data, st.dmid, c.dx[0], c.accum[0], c.grad)
}
