package ops

// Activation applies an activation function elementwise (softmax: over the
// last axis), as Keras's Activation layer.
type Activation struct {
	Name string
	Func ActFunc
}

func (l *Activation) LayerName() string { return l.Name }
func (l *Activation) Class() string     { return "Activation" }
func (l *Activation) Params() []*Param  { return nil }

func (l *Activation) OutputShape(in ...Shape) (Shape, error) {
	if !l.Func.valid() {
		return nil, layerErr(l, "unknown activation %v", l.Func)
	}
	s, err := oneInput(l, in, -1, "(None, ...)")
	if err != nil {
		return nil, err
	}
	return s.Clone(), nil
}

// OutputActivation and ForwardLinear make an Activation layer at the end of
// a model give up its input as the logits.
func (l *Activation) OutputActivation() ActFunc { return l.Func }

// ForwardLinear copies the input: the layer without its activation.
func (l *Activation) ForwardLinear(out *Tensor, in []*Tensor, _ Mode) error {
	if err := checkForward(l, out, in); err != nil {
		return err
	}
	copy(out.Data, in[0].Data)
	return nil
}

func (l *Activation) Forward(out *Tensor, in []*Tensor, _ Mode) error {
	if err := checkForward(l, out, in); err != nil {
		return err
	}
	activate(l.Func, out.Data, in[0].Data, in[0].Shape[len(in[0].Shape)-1])
	return nil
}
