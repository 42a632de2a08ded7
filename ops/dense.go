package ops

import (
	"math/rand/v2"

	"github.com/simdnet/simdnet/gemm"
)

// DenseConfig is what Keras's Dense takes: Dense(units, activation,
// use_bias, name).
type DenseConfig struct {
	Name       string
	Units      int
	Activation ActFunc // fused on the output; Linear by default
	NoBias     bool    // use_bias=False
}

// Dense is a fully connected layer on the last axis:
// out = activation(in · kernel + bias). Other axes are kept, as in Keras.
type Dense struct {
	DenseConfig
	Kernel *Param // [in features, units]
	Bias   *Param // [units]; nil when NoBias
}

// NewDense creates the layer for inputs with the given number of features
// (the last axis). The kernel is drawn from glorot_uniform with rng and the
// bias is zero; a nil rng leaves the kernel zero.
func NewDense(cfg DenseConfig, inFeatures int, rng *rand.Rand) (*Dense, error) {
	l := &Dense{DenseConfig: cfg}
	switch {
	case cfg.Units < 1:
		return nil, layerErr(l, "units = %d, want at least 1", cfg.Units)
	case !cfg.Activation.valid():
		return nil, layerErr(l, "unknown activation %v", cfg.Activation)
	case inFeatures < 1:
		return nil, layerErr(l, "%d input features", inFeatures)
	}
	l.Kernel = newParam("kernel", true, inFeatures, cfg.Units)
	if rng != nil {
		GlorotUniform(l.Kernel.Value, inFeatures, cfg.Units, rng)
	}
	if !cfg.NoBias {
		l.Bias = newParam("bias", true, cfg.Units)
	}
	return l, nil
}

func (l *Dense) LayerName() string { return l.Name }
func (l *Dense) Class() string     { return "Dense" }

// Params returns kernel and bias, in Keras order.
func (l *Dense) Params() []*Param {
	if l.Bias == nil {
		return []*Param{l.Kernel}
	}
	return []*Param{l.Kernel, l.Bias}
}

// InFeatures is the size of the last input axis the kernel expects.
func (l *Dense) InFeatures() int { return l.Kernel.Shape[0] }

// OutputActivation is the fused activation.
func (l *Dense) OutputActivation() ActFunc { return l.Activation }

func (l *Dense) OutputShape(in ...Shape) (Shape, error) {
	if l.Kernel == nil || len(l.Kernel.Shape) != 2 || l.Kernel.Shape[1] != l.Units || len(l.Kernel.Value) != l.Kernel.Shape.Len() {
		return nil, layerErr(l, "kernel does not have shape (features, %d)", l.Units)
	}
	if l.NoBias != (l.Bias == nil) || l.Bias != nil && len(l.Bias.Value) != l.Units {
		return nil, layerErr(l, "bias does not match use_bias=%v and %d units", !l.NoBias, l.Units)
	}
	if !l.Activation.valid() {
		return nil, layerErr(l, "unknown activation %v", l.Activation)
	}
	s, err := oneInput(l, in, -1, "(None, ..., features)")
	if err != nil {
		return nil, err
	}
	if s[len(s)-1] != l.InFeatures() {
		return nil, layerErr(l, "input shape %v, want %d features in the last axis", s.Keras(), l.InFeatures())
	}
	out := s.Clone()
	out[len(out)-1] = l.Units
	return out, nil
}

// Forward multiplies on gemm, with the bias and a ReLU fused into its
// epilogue; softmax follows on the finished rows.
func (l *Dense) Forward(out *Tensor, in []*Tensor, mode Mode) error {
	return l.forward(out, in, l.Activation)
}

// ForwardLinear is Forward without the activation: the logits.
func (l *Dense) ForwardLinear(out *Tensor, in []*Tensor, _ Mode) error {
	return l.forward(out, in, Linear)
}

func (l *Dense) forward(out *Tensor, in []*Tensor, act ActFunc) error {
	if err := checkForward(l, out, in); err != nil {
		return err
	}
	x := in[0]
	k := l.InFeatures()
	p := gemm.Params{
		M: x.Len() / k, N: l.Units, K: k, Alpha: 1,
		A: x.Data, LDA: k,
		B: l.Kernel.Value, LDB: l.Units,
		C: out.Data, LDC: l.Units,
	}
	var rest ActFunc
	p.Act, rest = act.Kernel()
	if l.Bias != nil {
		p.Bias = l.Bias.Value
	}
	gemm.Run(&p)
	if rest != Linear { // what gemm's epilogue does not apply, softmax included
		activate(rest, out.Data, out.Data, l.Units)
	}
	return nil
}
