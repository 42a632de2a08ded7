package ops

import (
	"math"

	"github.com/simdnet/simdnet/internal/parallel"
)

// ReLUConfig is what Keras's ReLU layer takes:
// ReLU(max_value=None, negative_slope=0.0, threshold=0.0).
type ReLUConfig struct {
	Name string
	// MaxValue caps the output when HasMaxValue is set (max_value=6 is
	// ReLU6); without it the output is unbounded, Keras's None.
	MaxValue    float32
	HasMaxValue bool
	// NegativeSlope multiplies x - threshold below the threshold
	// (LeakyReLU's slope).
	NegativeSlope float32
	// Threshold is where the function turns from the slope to the identity.
	Threshold float32
}

// ReLULayer is Keras's ReLU layer (class name "ReLU"; the Go name keeps
// ReLU for the activation function):
//
//	f(x) = max_value                     for x ≥ max_value
//	f(x) = x                             for threshold ≤ x < max_value
//	f(x) = negative_slope·(x - threshold) otherwise
type ReLULayer struct{ ReLUConfig }

// ReLU6Config is ReLU(max_value=6), MobileNetV2's activation layer.
func ReLU6Config(name string) ReLUConfig {
	return ReLUConfig{Name: name, MaxValue: 6, HasMaxValue: true}
}

// NewReLU checks the configuration as Keras does: no parameter may be
// negative (or NaN).
func NewReLU(cfg ReLUConfig) (*ReLULayer, error) {
	l := &ReLULayer{cfg}
	return l, l.check()
}

func (l *ReLULayer) LayerName() string { return l.Name }
func (l *ReLULayer) Class() string     { return "ReLU" }
func (l *ReLULayer) Params() []*Param  { return nil }

func (l *ReLULayer) check() error {
	bad := func(v float32) bool { return !(v >= 0) || math.IsInf(float64(v), 0) }
	switch {
	case l.HasMaxValue && bad(l.MaxValue):
		return layerErr(l, "max_value = %v, want a finite value ≥ 0", l.MaxValue)
	case bad(l.NegativeSlope):
		return layerErr(l, "negative_slope = %v, want a finite value ≥ 0", l.NegativeSlope)
	case bad(l.Threshold):
		return layerErr(l, "threshold = %v, want a finite value ≥ 0", l.Threshold)
	}
	return nil
}

func (l *ReLULayer) OutputShape(in ...Shape) (Shape, error) {
	if err := l.check(); err != nil {
		return nil, err
	}
	s, err := oneInput(l, in, -1, "(None, ...)")
	if err != nil {
		return nil, err
	}
	return s.Clone(), nil
}

// ActFunc returns the activation function the layer computes, when it is
// one of the fixed ones (ReLU, ReLU6, or leaky_relu's slope of 0.2), so
// that planners can fuse it like an activation= argument.
func (l *ReLULayer) ActFunc() (ActFunc, bool) {
	switch {
	case l.Threshold != 0:
		return 0, false
	case !l.HasMaxValue && l.NegativeSlope == 0:
		return ReLU, true
	case l.HasMaxValue && l.MaxValue == 6 && l.NegativeSlope == 0:
		return ReLU6, true
	case !l.HasMaxValue && l.NegativeSlope == LeakyReLUSlope:
		return LeakyReLU, true
	}
	return 0, false
}

// Upper is the cap, +Inf without max_value.
func (l *ReLULayer) Upper() float32 {
	if l.HasMaxValue {
		return l.MaxValue
	}
	return float32(math.Inf(1))
}

// Value is f(x) for one value.
func (l *ReLULayer) Value(x float32) float32 {
	switch hi := l.Upper(); {
	case x >= hi:
		return hi
	case x >= l.Threshold:
		return x
	}
	return l.NegativeSlope * (x - l.Threshold)
}

func (l *ReLULayer) Forward(out *Tensor, in []*Tensor, _ Mode) error {
	if err := checkForward(l, out, in); err != nil {
		return err
	}
	if f, ok := l.ActFunc(); ok {
		activate(f, out.Data, in[0].Data, 1)
		return nil
	}
	src := in[0].Data
	parallel.For(len(src), parallel.MinWork, func(lo, hi int) {
		d := out.Data[lo:hi]
		for i, v := range src[lo:hi] {
			d[i] = l.Value(v)
		}
	})
	return nil
}

// ForwardRef applies the definition, in float64.
func (l *ReLULayer) ForwardRef(out *Tensor, in []*Tensor, _ Mode) error {
	if err := checkForward(l, out, in); err != nil {
		return err
	}
	hi := math.Inf(1)
	if l.HasMaxValue {
		hi = float64(l.MaxValue)
	}
	th, slope := float64(l.Threshold), float64(l.NegativeSlope)
	for i, v := range in[0].Data {
		x := float64(v)
		switch {
		case x >= hi:
			x = hi
		case x >= th:
		default:
			x = slope * (x - th)
		}
		out.Data[i] = float32(x)
	}
	return nil
}

// DefaultLeakyReLUSlope is the LeakyReLU layer's default negative_slope
// (Keras's alpha=0.3).
const DefaultLeakyReLUSlope = 0.3

// LeakyReLULayer is Keras's LeakyReLU layer (class name "LeakyReLU"): x for x ≥ 0, else
// negative_slope·x (Keras 2 calls it alpha).
type LeakyReLULayer struct {
	Name          string
	NegativeSlope float32
}

func (l *LeakyReLULayer) LayerName() string { return l.Name }
func (l *LeakyReLULayer) Class() string     { return "LeakyReLU" }
func (l *LeakyReLULayer) Params() []*Param  { return nil }

// AsReLU is the same function as a ReLU layer.
func (l *LeakyReLULayer) AsReLU() *ReLULayer {
	return &ReLULayer{ReLUConfig{Name: l.Name, NegativeSlope: l.NegativeSlope}}
}

func (l *LeakyReLULayer) OutputShape(in ...Shape) (Shape, error) {
	if v := l.NegativeSlope; !(v >= 0) || math.IsInf(float64(v), 0) {
		return nil, layerErr(l, "negative_slope = %v, want a finite value ≥ 0", v)
	}
	s, err := oneInput(l, in, -1, "(None, ...)")
	if err != nil {
		return nil, err
	}
	return s.Clone(), nil
}

func (l *LeakyReLULayer) Forward(out *Tensor, in []*Tensor, mode Mode) error {
	if err := checkForward(l, out, in); err != nil {
		return err
	}
	return l.AsReLU().Forward(out, in, mode)
}

func (l *LeakyReLULayer) ForwardRef(out *Tensor, in []*Tensor, mode Mode) error {
	if err := checkForward(l, out, in); err != nil {
		return err
	}
	return l.AsReLU().ForwardRef(out, in, mode)
}
