package train

import (
	"fmt"

	"github.com/simdnet/simdnet/ops"
)

// forward runs the model on x in the given mode, leaving every output the
// backward pass needs in ws, and returns the logits. In Training mode,
// BatchNormalization layers normalise with the batch's statistics and move
// their moving averages.
func (p *plan) forward(ws *workspace, x *ops.Tensor, mode ops.Mode) (*ops.Tensor, error) {
	if len(x.Shape) != len(p.input.Shape)+1 || x.Shape[0] != ws.batch || !x.Shape[1:].Equal(p.input.Shape) || len(x.Data) != x.Shape.Len() {
		return nil, fmt.Errorf("train: input has shape %v, want %v", x.Shape, append(ops.Shape{ws.batch}, p.input.Shape...))
	}
	ws.out[p.input.ID] = x
	for _, nd := range p.nodes {
		if nd == p.input || p.fusedBy[nd.ID] != noNode {
			continue
		}
		ins := ws.ins[nd.ID]
		for i, in := range nd.Inputs {
			ins[i] = ws.out[in.ID]
		}
		if err := p.forwardNode(ws, nd, ins, mode); err != nil {
			return nil, err
		}
	}
	return ws.out[p.output.ID], nil
}

// forwardNode runs one node. Layers whose backward needs more than their
// inputs and output, or that are fused with the ReLU after them, run here;
// the rest run their own ops Forward.
func (p *plan) forwardNode(ws *workspace, nd *ops.Node, ins []*ops.Tensor, mode ops.Mode) error {
	out := ws.out[nd.ID]
	relu := p.reluOf[nd.ID] != noNode
	if relu {
		out = ws.out[p.reluOf[nd.ID]]
	}
	switch l := nd.Layer.(type) {
	case *ops.BatchNormalization:
		return bnForward(l, p.state[nd.ID].(*bnState), out, ins[0], mode, relu, ws.red)
	case *ops.Add:
		if relu {
			addReLU(out.Data, ins)
			return nil
		}
	case *ops.MaxPooling2D:
		maxPoolForward(l, out, ins[0], ws.argmax[nd.ID])
		return nil
	case *ops.Conv2D:
		convForward(l, p.state[nd.ID].(*convState), out, ins[0])
		return nil
	}
	if nd == p.output && p.logitsOut {
		return nd.Layer.(ops.Activated).ForwardLinear(out, ins, mode)
	}
	return nd.Layer.Forward(out, ins, mode)
}

// addReLU writes max(sum of ins, 0) into dst: an Add and the ReLU after it
// in one pass.
func addReLU(dst []float32, ins []*ops.Tensor) {
	parallelFor(len(dst), minWork, func(lo, hi int) {
		d := dst[lo:hi]
		a, b := ins[0].Data[lo:hi], ins[1].Data[lo:hi]
		b = b[:len(a)]
		d = d[:len(a)]
		if len(ins) == 2 {
			for i, v := range a {
				d[i] = max(v+b[i], 0)
			}
			return
		}
		for i, v := range a {
			d[i] = v + b[i]
		}
		for _, t := range ins[2:] {
			for i, v := range t.Data[lo:hi] {
				d[i] += v
			}
		}
		for i, v := range d {
			d[i] = max(v, 0)
		}
	})
}
