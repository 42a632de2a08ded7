package ops

import (
	"math"

	"github.com/simdnet/simdnet/internal/parallel"
)

// Rescaling is Keras's Rescaling(scale, offset): out = x·scale + offset,
// the preprocessing keras.applications puts inside its models (1/255, or
// 1/127.5 with offset -1).
type Rescaling struct {
	Name   string
	Scale  float32
	Offset float32
}

func (l *Rescaling) LayerName() string { return l.Name }
func (l *Rescaling) Class() string     { return "Rescaling" }
func (l *Rescaling) Params() []*Param  { return nil }

func (l *Rescaling) OutputShape(in ...Shape) (Shape, error) {
	if math.IsNaN(float64(l.Scale)) || math.IsInf(float64(l.Scale), 0) || math.IsNaN(float64(l.Offset)) || math.IsInf(float64(l.Offset), 0) {
		return nil, layerErr(l, "scale %v and offset %v, want finite values", l.Scale, l.Offset)
	}
	s, err := oneInput(l, in, -1, "(None, ...)")
	if err != nil {
		return nil, err
	}
	return s.Clone(), nil
}

func (l *Rescaling) Forward(out *Tensor, in []*Tensor, _ Mode) error {
	if err := checkForward(l, out, in); err != nil {
		return err
	}
	parallel.For(out.Len(), parallel.MinWork, func(lo, hi int) {
		d := out.Data[lo:hi]
		for i, v := range in[0].Data[lo:hi] {
			d[i] = v*l.Scale + l.Offset
		}
	})
	return nil
}

func (l *Rescaling) ForwardRef(out *Tensor, in []*Tensor, _ Mode) error {
	if err := checkForward(l, out, in); err != nil {
		return err
	}
	for i, v := range in[0].Data {
		out.Data[i] = float32(float64(v)*float64(l.Scale) + float64(l.Offset))
	}
	return nil
}

// NormalizationEpsilon is the floor Keras's Normalization puts under the
// standard deviation (backend.epsilon()).
const NormalizationEpsilon = 1e-7

// Normalization is Keras's Normalization preprocessing layer over the last
// axis, with its adapted statistics as weights (mean, variance and count,
// all non-trainable, as keras.applications' EfficientNets carry them):
//
//	out = (x - mean) / max(sqrt(variance), 1e-7)
//
// or, with Invert, x·max(sqrt(variance), 1e-7) + mean.
type Normalization struct {
	Name     string
	Invert   bool
	Mean     *Param // [channels]
	Variance *Param // [channels]
	Count    *Param // the number of values adapted over, a scalar
}

// NewNormalization creates the layer with mean 0 and variance 1 (the
// identity) for the given number of channels; mean and variance, when not
// nil, are copied in.
func NewNormalization(name string, channels int, mean, variance []float32) (*Normalization, error) {
	l := &Normalization{Name: name}
	if channels < 1 {
		return nil, layerErr(l, "%d channels", channels)
	}
	l.Mean = newParam("mean", false, channels)
	l.Variance = newParam("variance", false, channels)
	l.Count = newParam("count", false)
	l.Variance.Fill(1)
	for _, p := range []struct {
		dst *Param
		src []float32
	}{{l.Mean, mean}, {l.Variance, variance}} {
		if p.src == nil {
			continue
		}
		if len(p.src) != channels {
			return nil, layerErr(l, "%s has %d values, want %d", p.dst.Name, len(p.src), channels)
		}
		copy(p.dst.Value, p.src)
	}
	return l, nil
}

func (l *Normalization) LayerName() string { return l.Name }
func (l *Normalization) Class() string     { return "Normalization" }

// Params returns mean, variance and count, in Keras order.
func (l *Normalization) Params() []*Param { return []*Param{l.Mean, l.Variance, l.Count} }

func (l *Normalization) OutputShape(in ...Shape) (Shape, error) {
	if l.Mean == nil || l.Variance == nil || l.Mean.Len() != l.Variance.Len() || l.Mean.Len() == 0 {
		return nil, layerErr(l, "mean and variance missing or of different lengths")
	}
	for _, v := range l.Variance.Value {
		if !(v >= 0) {
			return nil, layerErr(l, "variance %v, want values ≥ 0", v)
		}
	}
	s, err := oneInput(l, in, -1, "(None, ..., channels)")
	if err != nil {
		return nil, err
	}
	if s[len(s)-1] != l.Mean.Len() {
		return nil, layerErr(l, "input shape %v, want %d channels in the last axis", s.Keras(), l.Mean.Len())
	}
	return s.Clone(), nil
}

// Affine returns the per-channel scale and shift the layer applies,
// out = x·scale + shift.
func (l *Normalization) Affine() (scale, shift []float32) {
	c := l.Mean.Len()
	scale, shift = make([]float32, c), make([]float32, c)
	for i := range scale {
		sd := math.Max(math.Sqrt(float64(l.Variance.Value[i])), NormalizationEpsilon)
		m := float64(l.Mean.Value[i])
		if l.Invert {
			scale[i], shift[i] = float32(sd), float32(m)
		} else {
			scale[i], shift[i] = float32(1/sd), float32(-m/sd)
		}
	}
	return scale, shift
}

func (l *Normalization) Forward(out *Tensor, in []*Tensor, _ Mode) error {
	if err := checkForward(l, out, in); err != nil {
		return err
	}
	scale, shift := l.Affine()
	c := len(scale)
	parallel.For(out.Len()/c, parallel.Grain(c), func(lo, hi int) {
		for p := lo; p < hi; p++ {
			src, dst := in[0].Data[p*c:(p+1)*c], out.Data[p*c:(p+1)*c]
			for i, v := range src {
				dst[i] = v*scale[i] + shift[i]
			}
		}
	})
	return nil
}

// ForwardRef subtracts and divides (or multiplies and adds) in float64.
func (l *Normalization) ForwardRef(out *Tensor, in []*Tensor, _ Mode) error {
	if err := checkForward(l, out, in); err != nil {
		return err
	}
	c := l.Mean.Len()
	for i, v := range in[0].Data {
		sd := math.Max(math.Sqrt(float64(l.Variance.Value[i%c])), NormalizationEpsilon)
		m := float64(l.Mean.Value[i%c])
		if l.Invert {
			out.Data[i] = float32(float64(v)*sd + m)
		} else {
			out.Data[i] = float32((float64(v) - m) / sd)
		}
	}
	return nil
}
