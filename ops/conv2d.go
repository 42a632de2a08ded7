package ops

import (
	"math/rand/v2"

	"github.com/simdnet/simdnet/gemm"
	"github.com/simdnet/simdnet/im2col"
)

// Conv2DConfig is what Keras's Conv2D takes: Conv2D(filters, kernel_size,
// strides, padding, dilation_rate, groups, activation, use_bias, name).
type Conv2DConfig struct {
	Name         string
	Filters      int
	KernelSize   [2]int // height, width
	Strides      [2]int // height, width; zero means (1, 1)
	Padding      Padding
	DilationRate [2]int // height, width; zero means (1, 1)
	// Groups splits the input channels and the filters into this many
	// groups, group g's filters seeing only group g's channels (ResNeXt,
	// ShuffleNet, RegNet); zero means 1. Both counts must divide by it.
	Groups     int
	Activation ActFunc // applied to the output; Linear by default
	NoBias     bool    // use_bias=False
}

// Conv2D is a 2-D convolution over an NHWC batch (cross-correlation, as in
// Keras). Kernel keeps Keras's layout [kh, kw, in channels / groups,
// filters], which for one group flattened to [kh*kw*cin, filters] is the
// right-hand operand of the im2col product as it stands; filter f belongs
// to group f / (filters/groups).
type Conv2D struct {
	Conv2DConfig
	Kernel *Param // [kh, kw, cin/groups, filters]
	Bias   *Param // [filters]; nil when NoBias
}

// NewConv2D creates the layer for inputs with inChannels channels. The
// kernel is drawn from glorot_uniform with rng (fan_in = kh*kw*cin,
// fan_out = kh*kw*filters) and the bias is zero; a nil rng leaves the
// kernel zero, for weights about to be loaded.
//
// With groups, fan_in counts the channels of one group, as Keras's kernel
// shape makes it.
func NewConv2D(cfg Conv2DConfig, inChannels int, rng *rand.Rand) (*Conv2D, error) {
	cfg.Strides, cfg.DilationRate = orOne(cfg.Strides), orOne(cfg.DilationRate)
	if cfg.Groups == 0 {
		cfg.Groups = 1
	}
	kh, kw := cfg.KernelSize[0], cfg.KernelSize[1]
	l := &Conv2D{Conv2DConfig: cfg}
	if err := cfg.check(l); err != nil {
		return nil, err
	}
	if inChannels < 1 || inChannels%cfg.Groups != 0 {
		return nil, layerErr(l, "%d input channels, want a positive multiple of groups = %d", inChannels, cfg.Groups)
	}
	cg := inChannels / cfg.Groups
	l.Kernel = newParam("kernel", true, kh, kw, cg, cfg.Filters)
	if rng != nil {
		GlorotUniform(l.Kernel.Value, kh*kw*cg, kh*kw*cfg.Filters, rng)
	}
	if !cfg.NoBias {
		l.Bias = newParam("bias", true, cfg.Filters)
	}
	return l, nil
}

func (l *Conv2D) LayerName() string { return l.Name }
func (l *Conv2D) Class() string     { return "Conv2D" }

// Params returns kernel and bias, in Keras order.
func (l *Conv2D) Params() []*Param {
	if l.Bias == nil {
		return []*Param{l.Kernel}
	}
	return []*Param{l.Kernel, l.Bias}
}

// InChannels is the number of input channels the kernel expects (all
// groups together).
func (l *Conv2D) InChannels() int { return l.Kernel.Shape[2] * max(l.Groups, 1) }

// OutputActivation is the activation= argument.
func (l *Conv2D) OutputActivation() ActFunc { return l.Activation }

// Plain reports whether the convolution is the one im2col and gemm compute
// in one product: one group, no dilation, no activation but a ReLU (which
// gemm's epilogue applies). Others run Forward's grouped path.
func (l *Conv2D) Plain() bool {
	return max(l.Groups, 1) == 1 && orOne(l.DilationRate) == [2]int{1, 1} && (l.Activation == Linear || l.Activation == ReLU)
}

// check reports a configuration Keras would reject, as an error about l.
func (c *Conv2DConfig) check(l Layer) error {
	if err := checkConvArgs(l, c.KernelSize, orOne(c.Strides), orOne(c.DilationRate), c.Padding); err != nil {
		return err
	}
	groups := max(c.Groups, 1)
	switch {
	case c.Filters < 1:
		return layerErr(l, "filters = %d, want at least 1", c.Filters)
	case c.Groups < 0:
		return layerErr(l, "groups = %d, want at least 1", c.Groups)
	case c.Filters%groups != 0:
		return layerErr(l, "filters = %d is not a multiple of groups = %d", c.Filters, groups)
	case !c.Activation.valid():
		return layerErr(l, "unknown activation %v", c.Activation)
	case c.Activation == Softmax:
		return layerErr(l, "softmax is not an activation= of a convolution here; add an Activation layer")
	}
	return nil
}

// check validates the configuration and that the weights match it, since
// the fields are open to change.
func (l *Conv2D) check() error {
	if err := l.Conv2DConfig.check(l); err != nil {
		return err
	}
	if l.Kernel == nil {
		return layerErr(l, "no kernel")
	}
	k := l.Kernel.Shape
	if len(k) != 4 || k[0] != l.KernelSize[0] || k[1] != l.KernelSize[1] || k[2] < 1 || k[3] != l.Filters || len(l.Kernel.Value) != k.Len() {
		return layerErr(l, "kernel has shape %v and %d values, want (%d, %d, cin/groups, %d)",
			k, len(l.Kernel.Value), l.KernelSize[0], l.KernelSize[1], l.Filters)
	}
	if l.NoBias != (l.Bias == nil) || l.Bias != nil && (len(l.Bias.Value) != l.Filters) {
		return layerErr(l, "bias does not match use_bias=%v and %d filters", !l.NoBias, l.Filters)
	}
	return nil
}

func (l *Conv2D) OutputShape(in ...Shape) (Shape, error) {
	w, err := l.windows(in)
	if err != nil {
		return nil, err
	}
	return Shape{w[0].out, w[1].out, l.Filters}, nil
}

// windows checks the layer and its input and resolves both spatial axes.
func (l *Conv2D) windows(in []Shape) ([2]convWindow, error) {
	if err := l.check(); err != nil {
		return [2]convWindow{}, err
	}
	s, err := oneInput(l, in, 3, "(None, H, W, C)")
	if err != nil {
		return [2]convWindow{}, err
	}
	if s[2] != l.InChannels() {
		return [2]convWindow{}, layerErr(l, "input shape %v, want (None, H, W, %d)", s.Keras(), l.InChannels())
	}
	d := orOne(l.DilationRate)
	w := [2]convWindow{
		newConvWindow(l.Padding, s[0], l.KernelSize[0], l.Strides[0], d[0]),
		newConvWindow(l.Padding, s[1], l.KernelSize[1], l.Strides[1], d[1]),
	}
	if w[0].out < 1 || w[1].out < 1 {
		if d != [2]int{1, 1} {
			return w, layerErr(l, "input shape %v is smaller than the %d×%d kernel dilated to %d×%d", s.Keras(), w[0].k, w[1].k, w[0].span(), w[1].span())
		}
		return w, layerErr(l, "input shape %v is smaller than the %d×%d kernel", s.Keras(), w[0].k, w[1].k)
	}
	return w, nil
}

// Geometry returns the im2col geometry of the convolution over a batch of
// the given size with per-sample input shape in (H, W, C), with the padding
// Keras's padding mode implies. im2col knows neither groups nor dilation:
// for such a convolution it returns an error.
func (l *Conv2D) Geometry(batch int, in ...Shape) (im2col.Geometry, error) {
	w, err := l.windows(in)
	if err != nil {
		return im2col.Geometry{}, err
	}
	if max(l.Groups, 1) != 1 || orOne(l.DilationRate) != [2]int{1, 1} {
		return im2col.Geometry{}, layerErr(l, "groups = %d and dilation_rate %v have no im2col geometry", l.Groups, l.DilationRate)
	}
	s := in[0]
	g := im2col.Geometry{N: batch, H: s[0], W: s[1], C: s[2], KH: w[0].k, KW: w[1].k, SH: w[0].stride, SW: w[1].stride,
		PadTop: w[0].before, PadBottom: w[0].after, PadLeft: w[1].before, PadRight: w[1].after}
	if err := g.Validate(); err != nil {
		return im2col.Geometry{}, layerErr(l, "%v", err)
	}
	return g, nil
}

// Forward computes the convolution as one gemm product, patches × kernel,
// plus the bias. A 1×1 stride-1 convolution multiplies the input itself;
// any other is fed to gemm by an im2col.Packer, so no patch matrix is built.
// Grouped and dilated convolutions take forwardGrouped.
func (l *Conv2D) Forward(out *Tensor, in []*Tensor, _ Mode) error {
	return l.forward(out, in, l.Activation)
}

// ForwardLinear is Forward without the activation.
func (l *Conv2D) ForwardLinear(out *Tensor, in []*Tensor, _ Mode) error {
	return l.forward(out, in, Linear)
}

func (l *Conv2D) forward(out *Tensor, in []*Tensor, act ActFunc) error {
	if err := checkForward(l, out, in); err != nil {
		return err
	}
	x := in[0]
	if max(l.Groups, 1) != 1 || orOne(l.DilationRate) != [2]int{1, 1} {
		w, _ := l.windows([]Shape{x.Shape[1:]})
		l.forwardGrouped(out.Data, x.Data, x.Shape[0], w, act)
		return nil
	}
	g, _ := l.Geometry(x.Shape[0], x.Shape[1:])
	var pk *im2col.Packer
	if !directA(g) {
		pk = im2col.NewPacker(x.Data, g)
	}
	p := l.Product(out.Data, x.Data, g, pk)
	var rest ActFunc
	p.Act, rest = act.Kernel()
	gemm.Run(&p)
	if rest != Linear {
		activate(rest, out.Data, out.Data, l.Filters)
	}
	return nil
}

// directA reports whether a convolution's patch matrix is its input itself:
// a 1×1 window, stride 1, no padding.
func directA(g im2col.Geometry) bool { return g.Pointwise() && g.SH == 1 && g.SW == 1 }

// Product is the gemm product that computes the convolution of the NHWC
// batch x (geometry g) into out: patches × kernel + bias. The patches are x
// itself for a 1×1 stride-1 convolution; otherwise pk, a packer over x with
// geometry g, supplies them. Callers that keep buffers (training) run it
// with their own packer.
func (l *Conv2D) Product(out, x []float32, g im2col.Geometry, pk *im2col.Packer) gemm.Params {
	p := gemm.Params{
		M: g.Rows(), N: l.Filters, K: g.Cols(), Alpha: 1,
		B: l.Kernel.Value, LDB: l.Filters,
		C: out, LDC: l.Filters,
	}
	if l.Bias != nil {
		p.Bias = l.Bias.Value
	}
	if directA(g) {
		p.A, p.LDA = x, g.C
	} else {
		p.APack = pk
	}
	return p
}
