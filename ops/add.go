package ops

import "github.com/simdnet/simdnet/internal/parallel"

// Add sums two or more inputs of one shape elementwise, as Keras's Add.
type Add struct {
	Name string
}

func (l *Add) LayerName() string { return l.Name }
func (l *Add) Class() string     { return "Add" }
func (l *Add) Params() []*Param  { return nil }

func (l *Add) OutputShape(in ...Shape) (Shape, error) {
	if len(in) < 2 {
		return nil, layerErr(l, "got %d inputs, want at least 2", len(in))
	}
	for i, s := range in[1:] {
		if !s.Equal(in[0]) {
			return nil, layerErr(l, "input %d has shape %v, want %v like input 0", i+1, s.Keras(), in[0].Keras())
		}
	}
	return in[0].Clone(), nil
}

func (l *Add) Forward(out *Tensor, in []*Tensor, _ Mode) error {
	if err := checkForward(l, out, in); err != nil {
		return err
	}
	parallel.For(out.Len(), 1<<15, func(lo, hi int) {
		dst := out.Data[lo:hi]
		a, b := in[0].Data[lo:hi], in[1].Data[lo:hi]
		for i := range dst {
			dst[i] = a[i] + b[i]
		}
		for _, t := range in[2:] {
			for i, v := range t.Data[lo:hi] {
				dst[i] += v
			}
		}
	})
	return nil
}

// ForwardRef sums each element in float64.
func (l *Add) ForwardRef(out *Tensor, in []*Tensor, _ Mode) error {
	if err := checkForward(l, out, in); err != nil {
		return err
	}
	for i := range out.Data {
		var s float64
		for _, t := range in {
			s += float64(t.Data[i])
		}
		out.Data[i] = float32(s)
	}
	return nil
}
