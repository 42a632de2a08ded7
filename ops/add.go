package ops

// Add sums two or more inputs elementwise, as Keras's Add. Shapes may
// broadcast (a dimension of 1 stretches), as in squeeze-and-excitation or
// a per-channel shift.
type Add struct {
	Name string
}

func (l *Add) LayerName() string { return l.Name }
func (l *Add) Class() string     { return "Add" }
func (l *Add) Params() []*Param  { return nil }

func (l *Add) OutputShape(in ...Shape) (Shape, error) { return mergeShape(l, mergeAdd, in) }

func (l *Add) Forward(out *Tensor, in []*Tensor, _ Mode) error {
	return mergeForward(l, mergeAdd, out, in)
}

// ForwardRef sums each element in float64.
func (l *Add) ForwardRef(out *Tensor, in []*Tensor, _ Mode) error {
	return mergeRef(l, mergeAdd, out, in)
}

// Broadcasts reports whether the node's inputs differ in shape, so that
// one of them is stretched.
func Broadcasts(n *Node) bool {
	for _, in := range n.Inputs {
		if !in.Shape.Equal(n.Shape) {
			return true
		}
	}
	return false
}
