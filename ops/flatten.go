package ops

// Flatten reshapes each sample to one axis, as Keras's Flatten. In NHWC
// order this is a plain copy.
type Flatten struct {
	Name string
}

func (l *Flatten) LayerName() string { return l.Name }
func (l *Flatten) Class() string     { return "Flatten" }
func (l *Flatten) Params() []*Param  { return nil }

func (l *Flatten) OutputShape(in ...Shape) (Shape, error) {
	s, err := oneInput(l, in, -1, "(None, ...)")
	if err != nil {
		return nil, err
	}
	return Shape{s.Len()}, nil
}

// Forward copies the data; out may share in[0]'s Data, making it free.
func (l *Flatten) Forward(out *Tensor, in []*Tensor, _ Mode) error {
	if err := checkForward(l, out, in); err != nil {
		return err
	}
	copy(out.Data, in[0].Data)
	return nil
}

// ForwardRef is Forward: a copy has no faster form to check.
func (l *Flatten) ForwardRef(out *Tensor, in []*Tensor, mode Mode) error {
	return l.Forward(out, in, mode)
}
