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
			p.addReLU(ws, nd, out.Data)
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

// addState is a fused Add's list of terms, reused every step.
type addState struct{ terms []addTerm }

// addTerm is one input of a fused Add: x, or x·scale + shift per channel
// for a BatchNormalization normalised on the fly (scale nil otherwise).
type addTerm struct {
	x            []float32
	scale, shift []float32
}

// addReLU writes max(sum of nd's inputs, 0) into dst: an Add and the ReLU
// after it in one pass, with inputs that are BatchNormalizations (see
// plan.normInAdd) normalised as they are read.
func (p *plan) addReLU(ws *workspace, nd *ops.Node, dst []float32) {
	terms := p.state[nd.ID].(*addState).terms
	for i, in := range nd.Inputs {
		if p.normInAdd[in.ID] {
			st := p.state[in.ID].(*bnState)
			terms[i] = addTerm{x: ws.out[in.Inputs[0].ID].Data, scale: st.scale, shift: st.shift}
		} else {
			terms[i] = addTerm{x: ws.out[in.ID].Data}
		}
	}
	c := nd.Shape[len(nd.Shape)-1]
	parallelFor(len(dst)/c, grainFor(c*len(terms)), func(lo, hi int) {
		for o := lo * c; o < hi*c; o += c {
			d := dst[o : o+c]
			for k, t := range terms {
				t.addTo(d, o, k == 0)
			}
			for i, v := range d {
				d[i] = max(v, 0)
			}
		}
	})
}

// addTo writes (first) or adds the term's values for the pixel at offset o
// into d.
func (t *addTerm) addTo(d []float32, o int, first bool) {
	x := t.x[o : o+len(d)]
	switch {
	case t.scale == nil && first:
		copy(d, x)
	case t.scale == nil:
		for i, v := range x {
			d[i] += v
		}
	case first:
		sc, sh := t.scale[:len(d)], t.shift[:len(d)]
		for i, v := range x {
			d[i] = v*sc[i] + sh[i]
		}
	default:
		sc, sh := t.scale[:len(d)], t.shift[:len(d)]
		for i, v := range x {
			d[i] += v*sc[i] + sh[i]
		}
	}
}
