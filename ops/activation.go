package ops

import (
	"math"

	"github.com/simdnet/simdnet/internal/parallel"
)

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

// activate writes f(src) into dst; softmax works on rows of the given width.
// dst and src may be the same slice.
func activate(f ActFunc, dst, src []float32, width int) {
	switch f {
	case Linear:
		copy(dst, src)
	case ReLU:
		parallel.For(len(src), 1<<15, func(lo, hi int) {
			d := dst[lo:hi]
			for i, v := range src[lo:hi] {
				d[i] = max(v, 0)
			}
		})
	case Softmax:
		rows := len(src) / width
		parallel.For(rows, parallel.Grain(8*width), func(lo, hi int) {
			for r := lo; r < hi; r++ {
				softmaxRow(dst[r*width:(r+1)*width], src[r*width:(r+1)*width])
			}
		})
	}
}

// softmaxRow subtracts the row's maximum before exponentiating, so large
// logits cannot overflow, and sums in float64.
func softmaxRow(dst, src []float32) {
	dst = dst[:len(src)]
	m := src[0]
	for _, v := range src {
		m = max(m, v)
	}
	var sum float64
	for i, v := range src {
		e := math.Exp(float64(v - m))
		dst[i] = float32(e)
		sum += e
	}
	inv := float32(1 / sum)
	for i := range dst {
		dst[i] *= inv
	}
}
