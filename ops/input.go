package ops

// Input is Keras's InputLayer: it names the model's input and fixes its
// per-sample shape, e.g. (64, 64, 3).
type Input struct {
	Name  string
	Shape Shape
}

func (l *Input) LayerName() string { return l.Name }
func (l *Input) Class() string     { return "InputLayer" }
func (l *Input) Params() []*Param  { return nil }

// OutputShape checks that the fed shape, if any, is the declared one.
func (l *Input) OutputShape(in ...Shape) (Shape, error) {
	for _, d := range l.Shape {
		if d < 1 {
			return nil, layerErr(l, "declared shape %v has an empty dimension", l.Shape.Keras())
		}
	}
	if len(l.Shape) == 0 {
		return nil, layerErr(l, "declared shape is empty")
	}
	switch {
	case len(in) > 1:
		return nil, layerErr(l, "got %d inputs, want 1", len(in))
	case len(in) == 1 && !in[0].Equal(l.Shape):
		return nil, layerErr(l, "input shape %v, want %v", in[0].Keras(), l.Shape.Keras())
	}
	return l.Shape.Clone(), nil
}

// Forward copies the fed batch; a Graph passes it on without this copy.
func (l *Input) Forward(out *Tensor, in []*Tensor, _ Mode) error {
	if err := checkForward(l, out, in); err != nil {
		return err
	}
	copy(out.Data, in[0].Data)
	return nil
}

// ForwardRef is Forward: copying has no faster form to check.
func (l *Input) ForwardRef(out *Tensor, in []*Tensor, mode Mode) error {
	return l.Forward(out, in, mode)
}
