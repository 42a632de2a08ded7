package train

import (
	"github.com/simdnet/simdnet/internal/parallel"

	"fmt"

	"github.com/simdnet/simdnet/internal/vec"
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
	p.prof.start()
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
		p.prof.lap(nd.ID, phaseForward)
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
		return bnForward(l, p.state[nd.ID].(*bnState), out, ins[0], mode, relu, p.reluCap[nd.ID], ws.red)
	case *ops.Add:
		if relu {
			p.addReLU(ws, nd, out.Data)
			return nil
		}
	case *ops.MaxPooling2D:
		maxPoolForward(l, out, ins[0], ws.argmax[nd.ID])
		return nil
	case *ops.Conv2D:
		if !isGeneralConv(l) {
			convForward(l, p.state[nd.ID].(*convState), out, ins[0])
			return nil
		}
	}
	if nd == p.output && p.logitsOut {
		return nd.Layer.(ops.Activated).ForwardLinear(out, ins, mode)
	}
	if t, ok := trainingOf(nd); ok {
		return p.forwardRegistered(ws, nd, t, ins, out, mode)
	}
	return nd.Layer.Forward(out, ins, mode)
}

// addState is a fused Add's list of terms, reused every step, and the unit
// scale and zero shift that let a plain input run the normalising loop.
type addState struct {
	terms       []addTerm
	ones, zeros []float32
}

func newAddState(inputs, channels int) *addState {
	st := &addState{terms: make([]addTerm, inputs), ones: make([]float32, channels), zeros: make([]float32, channels)}
	for i := range st.ones {
		st.ones[i] = 1
	}
	return st
}

// addTerm is one input of a fused Add: x·scale + shift per channel, the
// normalisation of a BatchNormalization computed on the fly, or a plain
// input with scale 1 and shift 0.
type addTerm struct {
	x, scale, shift []float32
}

// addReLU writes max(sum of nd's inputs, 0) into dst: an Add and the ReLU
// after it in one pass, with inputs that are BatchNormalizations (see
// plan.normInAdd) normalised as they are read. Two inputs, a residual
// block's, take one loop; more add up in dst.
func (p *plan) addReLU(ws *workspace, nd *ops.Node, dst []float32) {
	st := p.state[nd.ID].(*addState)
	terms := st.terms
	for i, in := range nd.Inputs {
		if p.normInAdd[in.ID] {
			bn := p.state[in.ID].(*bnState)
			terms[i] = addTerm{x: ws.out[in.Inputs[0].ID].Data, scale: bn.scale, shift: bn.shift}
		} else {
			terms[i] = addTerm{x: ws.out[in.ID].Data, scale: st.ones, shift: st.zeros}
		}
	}
	c := len(st.ones)
	parallel.For(len(dst)/c, parallel.Grain(c*len(terms)), func(lo, hi int) {
		if len(terms) == 2 {
			a, b := &terms[0], &terms[1]
			vec.AffinePairReLU(dst[lo*c:hi*c], a.x[lo*c:hi*c], a.scale, a.shift, b.x[lo*c:hi*c], b.scale, b.shift)
			return
		}
		for o := lo * c; o < hi*c; o += c {
			d := dst[o : o+c]
			clear(d)
			for k := range terms {
				terms[k].addTo(d, o)
			}
			for i, v := range d {
				d[i] = max(v, 0)
			}
		}
	})
}

// addTo adds the term's values for the pixel at offset o to d.
func (t *addTerm) addTo(d []float32, o int) {
	x, sc, sh := t.x[o:o+len(d)], t.scale[:len(d)], t.shift[:len(d)]
	for i, v := range x {
		d[i] += v*sc[i] + sh[i]
	}
}
