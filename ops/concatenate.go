package ops

import "github.com/simdnet/simdnet/internal/parallel"

// Concatenate joins its inputs along one axis, as Keras's
// Concatenate(axis=-1): DenseNet's and Inception's channel concatenation,
// or any other axis but the batch.
type Concatenate struct {
	Name string
	// Axis counts the batch as axis 0, as in Keras: -1 (the default, also
	// zero here) is the last axis, 3 the channels of an image.
	Axis int
}

func (l *Concatenate) LayerName() string { return l.Name }
func (l *Concatenate) Class() string     { return "Concatenate" }
func (l *Concatenate) Params() []*Param  { return nil }

// PerSampleAxis resolves Axis for per-sample inputs of the given rank:
// the index into a per-sample shape.
func (l *Concatenate) PerSampleAxis(rank int) (int, error) {
	a := l.Axis
	switch {
	case a == 0:
		a = rank - 1
	case a < 0:
		a += rank
	default:
		a-- // Keras counts the batch
	}
	if a < 0 || a >= rank {
		if l.Axis == 0 && rank == 0 {
			return 0, layerErr(l, "inputs have no axis to join")
		}
		return 0, layerErr(l, "axis %d is not an axis of inputs of rank %d (the batch axis 0 cannot be joined)", l.Axis, rank+1)
	}
	return a, nil
}

func (l *Concatenate) OutputShape(in ...Shape) (Shape, error) {
	if len(in) < 2 {
		return nil, layerErr(l, "got %d inputs, want at least 2", len(in))
	}
	a, err := l.PerSampleAxis(len(in[0]))
	if err != nil {
		return nil, err
	}
	out := in[0].Clone()
	for i, s := range in {
		if len(s) != len(out) {
			return nil, layerErr(l, "input %d has shape %v, input 0 %v: ranks differ", i, s.Keras(), in[0].Keras())
		}
		for d := range s {
			switch {
			case s[d] < 1:
				return nil, layerErr(l, "input %d has shape %v with an empty dimension", i, s.Keras())
			case d != a && s[d] != in[0][d]:
				return nil, layerErr(l, "input %d has shape %v, input 0 %v: they differ outside the concatenation axis %d", i, s.Keras(), in[0].Keras(), l.Axis)
			}
		}
		if i > 0 {
			out[a] += s[a]
		}
	}
	return out, nil
}

// Forward copies each input's slab into its place: for every index of the
// axes before the concatenation axis, the inputs' contiguous runs follow
// one another in the output.
func (l *Concatenate) Forward(out *Tensor, in []*Tensor, _ Mode) error {
	if err := checkForward(l, out, in); err != nil {
		return err
	}
	a, _ := l.PerSampleAxis(len(in[0].Shape) - 1)
	a++ // in the tensor's shape
	outer := out.Shape[:a].Len()
	inner := out.Shape[a+1:].Len()
	width := out.Shape[a] * inner
	parallel.For(outer, parallel.Grain(width), func(lo, hi int) {
		for o := lo; o < hi; o++ {
			dst := out.Data[o*width : (o+1)*width]
			for _, t := range in {
				run := t.Shape[a] * inner
				copy(dst, t.Data[o*run:(o+1)*run])
				dst = dst[run:]
			}
		}
	})
	return nil
}

// ForwardRef places each output element by its full index.
func (l *Concatenate) ForwardRef(out *Tensor, in []*Tensor, _ Mode) error {
	if err := checkForward(l, out, in); err != nil {
		return err
	}
	a, _ := l.PerSampleAxis(len(in[0].Shape) - 1)
	a++
	idx := make([]int, len(out.Shape))
	for e := range out.Data {
		rem := e
		for d := len(out.Shape) - 1; d >= 0; d-- {
			idx[d] = rem % out.Shape[d]
			rem /= out.Shape[d]
		}
		pos := idx[a]
		for _, t := range in {
			if pos < t.Shape[a] {
				off := 0
				for d, n := range t.Shape {
					i := idx[d]
					if d == a {
						i = pos
					}
					off = off*n + i
				}
				out.Data[e] = t.Data[off]
				break
			}
			pos -= t.Shape[a]
		}
	}
	return nil
}
