package train

import "github.com/simdnet/simdnet/ops"

// backward propagates the gradient of the loss, already in the output
// node's buffer, back through the graph: every trainable parameter's
// gradient (p.grads) is overwritten, and so is every owned node gradient
// buffer on the way. The forward pass must have run on ws in Training mode.
func (p *plan) backward(ws *workspace) {
	p.prof.start()
	for i := len(p.nodes) - 1; i >= 0; i-- {
		nd := p.nodes[i]
		if nd != p.input && p.needGrad[nd.ID] {
			p.backwardNode(ws, nd)
			p.prof.lap(nd.ID, phaseBackward)
		}
	}
}

// inputGrad returns the buffer input j of nd writes its gradient into, or
// nil when there is nothing to write: the input needs no gradient, or it
// reads nd's gradient directly (see plan.assignViews).
func (p *plan) inputGrad(ws *workspace, nd *ops.Node, j int) []float32 {
	in := nd.Inputs[j]
	if !p.needGrad[in.ID] || !p.owns(in) {
		return nil
	}
	return ws.ownGrad(p, in)
}

// backwardNode runs one layer's backward pass.
func (p *plan) backwardNode(ws *workspace, nd *ops.Node) {
	g, mask := ws.grad(p, nd)
	if p.cappedFused(nd) {
		// Its producer reads g masked by the output (> 0); the values at
		// the cap pass no gradient either, so they are zeroed here.
		zeroAtCap(g, ws.out[nd.ID].Data, p.reluCap[p.fusedBy[nd.ID]])
		return
	}
	acc := p.accum[nd.ID]
	dx := p.inputGrad(ws, nd, 0)
	in := nd.Inputs[0]
	inShape := func() ops.Shape { return ws.out[in.ID].Shape } // nil for a ReLU's fused producer
	switch l := nd.Layer.(type) {
	case *ops.Conv2D:
		if isGeneralConv(l) {
			p.backwardRegistered(ws, nd, generalConv, g)
			return
		}
		p.convBackward(ws, nd, l, g, dx, acc[0])
	case *ops.BatchNormalization:
		bnBackward(l, p.state[nd.ID].(*bnState), ws.out[in.ID].Data, g, mask, dx, acc[0],
			p.gradOf[l.Gamma], p.gradOf[l.Beta], ws.red)
	case *ops.Dense:
		p.denseBackward(ws, nd, l, g, dx, acc[0])
	case *ops.Add:
		if ops.Broadcasts(nd) {
			dxs := make([][]float32, len(nd.Inputs))
			ins := make([]*ops.Tensor, len(nd.Inputs))
			for j, in := range nd.Inputs {
				dxs[j], ins[j] = p.inputGrad(ws, nd, j), ws.out[in.ID]
			}
			mergeGrad(mergeAdd, nd, ins, ws.out[nd.ID].Data, g, dxs, acc)
			return
		}
		for j := range nd.Inputs {
			if d := p.inputGrad(ws, nd, j); d != nil {
				maskedCopy(d, g, mask, acc[j])
			}
		}
	case *ops.Flatten:
		if dx != nil {
			maskedCopy(dx, g, mask, acc[0])
		}
	case *ops.Activation:
		switch {
		case dx == nil:
		case p.passThrough(nd):
			maskedCopy(dx, g, mask, acc[0])
		case l.Func == ops.ReLU:
			maskedCopy(dx, g, ws.out[nd.ID].Data, acc[0])
		case l.Func == ops.Softmax:
			softmaxBackward(dx, g, ws.out[nd.ID].Data, nd.Shape[len(nd.Shape)-1], acc[0])
		default:
			actGrad(l.Func, dx, g, ws.out[in.ID].Data, ws.out[nd.ID].Data, acc[0])
		}
	case *ops.ZeroPadding2D:
		if dx != nil {
			zeroPadBackward(l, dx, g, inShape(), ws.out[nd.ID].Shape, acc[0])
		}
	case *ops.MaxPooling2D:
		if dx != nil {
			maxPoolBackward(dx, g, ws.argmax[nd.ID], inShape(), ws.out[nd.ID].Shape, acc[0])
		}
	case *ops.AveragePooling2D:
		if dx != nil {
			avgPoolBackward(l, dx, g, inShape(), acc[0])
		}
	case *ops.GlobalAveragePooling2D, *ops.GlobalMaxPooling2D:
		if dx != nil {
			_, isMax := l.(*ops.GlobalMaxPooling2D)
			globalPoolBackward(isMax, dx, g, ws.out[in.ID].Data, ws.out[nd.ID].Data, inShape(), acc[0])
		}
	default:
		if t, ok := trainingOf(nd); ok {
			p.backwardRegistered(ws, nd, t, g) // g is unmasked: see readsMasked
		}
	}
}
