package ops

import "math/rand/v2"

// SeparableConv2DConfig is what Keras's SeparableConv2D takes:
// SeparableConv2D(filters, kernel_size, strides, padding, dilation_rate,
// depth_multiplier, activation, use_bias, name).
type SeparableConv2DConfig struct {
	Name            string
	Filters         int
	KernelSize      [2]int
	Strides         [2]int // zero means (1, 1)
	Padding         Padding
	DilationRate    [2]int // zero means (1, 1)
	DepthMultiplier int    // zero means 1
	Activation      ActFunc
	NoBias          bool
}

// SeparableConv2D is a depthwise convolution (no bias) followed by a 1×1
// convolution that mixes the channels, with the bias and the activation at
// the end, as Keras's SeparableConv2D.
type SeparableConv2D struct {
	SeparableConv2DConfig
	// Depthwise and Pointwise are the two halves; their parameters are
	// the layer's, in Keras's order depthwise_kernel, pointwise_kernel,
	// bias.
	Depthwise *DepthwiseConv2D
	Pointwise *Conv2D
}

// NewSeparableConv2D creates the layer for inputs with inChannels channels,
// both kernels glorot_uniform (nil rng: zero) and the bias zero.
func NewSeparableConv2D(cfg SeparableConv2DConfig, inChannels int, rng *rand.Rand) (*SeparableConv2D, error) {
	cfg.Strides, cfg.DilationRate = orOne(cfg.Strides), orOne(cfg.DilationRate)
	if cfg.DepthMultiplier == 0 {
		cfg.DepthMultiplier = 1
	}
	l := &SeparableConv2D{SeparableConv2DConfig: cfg}
	dw, err := NewDepthwiseConv2D(DepthwiseConv2DConfig{Name: cfg.Name, KernelSize: cfg.KernelSize, Strides: cfg.Strides,
		Padding: cfg.Padding, DepthMultiplier: cfg.DepthMultiplier, DilationRate: cfg.DilationRate, NoBias: true}, inChannels, rng)
	if err != nil {
		return nil, layerErr(l, "%v", err)
	}
	pw, err := NewConv2D(Conv2DConfig{Name: cfg.Name, Filters: cfg.Filters, KernelSize: [2]int{1, 1},
		Activation: cfg.Activation, NoBias: cfg.NoBias}, inChannels*cfg.DepthMultiplier, rng)
	if err != nil {
		return nil, layerErr(l, "%v", err)
	}
	pw.Kernel.Name = "pointwise_kernel"
	l.Depthwise, l.Pointwise = dw, pw
	return l, nil
}

func (l *SeparableConv2D) LayerName() string { return l.Name }
func (l *SeparableConv2D) Class() string     { return "SeparableConv2D" }

// Params returns depthwise_kernel, pointwise_kernel and bias.
func (l *SeparableConv2D) Params() []*Param {
	return append(l.Depthwise.Params(), l.Pointwise.Params()...)
}

// OutputActivation is the fused activation.
func (l *SeparableConv2D) OutputActivation() ActFunc { return l.Activation }

func (l *SeparableConv2D) OutputShape(in ...Shape) (Shape, error) {
	if l.Depthwise == nil || l.Pointwise == nil {
		return nil, layerErr(l, "no kernels")
	}
	mid, err := l.Depthwise.OutputShape(in...)
	if err != nil {
		return nil, layerErr(l, "%v", err)
	}
	pw := *l.Pointwise
	pw.Activation = l.Activation // the layer's field is the one to honour
	out, err := pw.OutputShape(mid)
	if err != nil {
		return nil, layerErr(l, "%v", err)
	}
	return out, nil
}

func (l *SeparableConv2D) Forward(out *Tensor, in []*Tensor, mode Mode) error {
	return l.forward(out, in, mode, false, l.Activation)
}

// ForwardLinear is Forward without the activation.
func (l *SeparableConv2D) ForwardLinear(out *Tensor, in []*Tensor, mode Mode) error {
	return l.forward(out, in, mode, false, Linear)
}

func (l *SeparableConv2D) ForwardRef(out *Tensor, in []*Tensor, mode Mode) error {
	return l.forward(out, in, mode, true, l.Activation)
}

// forward runs the two halves through a temporary depthwise output, by
// their fast paths or their references.
func (l *SeparableConv2D) forward(out *Tensor, in []*Tensor, mode Mode, ref bool, act ActFunc) error {
	if err := checkForward(l, out, in); err != nil {
		return err
	}
	mid, err := newOutput(l.Depthwise, in)
	if err != nil {
		return err
	}
	pw := *l.Pointwise
	pw.Activation = act
	if ref {
		if err := l.Depthwise.ForwardRef(mid, in, mode); err != nil {
			return err
		}
		return pw.ForwardRef(out, []*Tensor{mid}, mode)
	}
	if err := l.Depthwise.Forward(mid, in, mode); err != nil {
		return err
	}
	return pw.Forward(out, []*Tensor{mid}, mode)
}
