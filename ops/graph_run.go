package ops

// RunOptions selects how Graph.Run evaluates the model.
type RunOptions struct {
	Mode Mode
	// Logits runs the output layer without its activation when it has one
	// (see Activated), so the output is the logits rather than, say, the
	// softmax probabilities.
	Logits bool
	// Reference runs every layer's ForwardRef instead of Forward.
	Reference bool
}

// Run evaluates the model on the batch x, layer by layer, and returns every
// node's output indexed by Node.ID (nil for nodes that do not feed the
// output). The input node's entry is x itself. Each call allocates its
// activations: this is the plain, unfused path that training and tests use.
// Inference-mode runs may share a graph across goroutines; Training-mode
// runs update BatchNormalization state and must not overlap.
func (g *Graph) Run(x *Tensor, opt RunOptions) ([]*Tensor, error) {
	if err := g.Build(); err != nil {
		return nil, err
	}
	in := g.input.Layer
	if _, _, err := sampleShapes(in, []*Tensor{x}); err != nil {
		return nil, err
	}
	if _, err := in.OutputShape(x.Shape[1:]); err != nil {
		return nil, err
	}
	batch := x.Shape[0]
	vals := make([]*Tensor, len(g.nodes))
	vals[g.input.ID] = x
	needed := make([]bool, len(g.nodes))
	for _, n := range g.kerasOrder() {
		needed[n.ID] = true
	}
	for _, n := range g.nodes {
		if n == g.input || !needed[n.ID] {
			continue
		}
		ins := make([]*Tensor, len(n.Inputs))
		for i, p := range n.Inputs {
			ins[i] = vals[p.ID]
		}
		out := NewTensor(append([]int{batch}, n.Shape...)...)
		var err error
		switch act, isAct := n.Layer.(Activated); {
		case n == g.output && opt.Logits && isAct:
			err = act.ForwardLinear(out, ins, opt.Mode)
		case opt.Reference:
			err = n.Layer.ForwardRef(out, ins, opt.Mode)
		default:
			err = n.Layer.Forward(out, ins, opt.Mode)
		}
		if err != nil {
			return nil, err // it names the layer
		}
		vals[n.ID] = out
	}
	return vals, nil
}

// Forward evaluates the model on the batch x and returns its output (for a
// classifier ending in softmax, the probabilities).
func (g *Graph) Forward(x *Tensor, mode Mode) (*Tensor, error) {
	vals, err := g.Run(x, RunOptions{Mode: mode})
	if err != nil {
		return nil, err
	}
	return vals[g.output.ID], nil
}

// Logits evaluates the model on the batch x and returns its output before
// the final activation.
func (g *Graph) Logits(x *Tensor, mode Mode) (*Tensor, error) {
	vals, err := g.Run(x, RunOptions{Mode: mode, Logits: true})
	if err != nil {
		return nil, err
	}
	return vals[g.output.ID], nil
}
