package ops

import (
	"math/rand/v2"

	"github.com/simdnet/simdnet/gemm"
	"github.com/simdnet/simdnet/im2col"
)

// Conv2DConfig is what Keras's Conv2D takes: Conv2D(filters, kernel_size,
// strides, padding, use_bias, name).
type Conv2DConfig struct {
	Name       string
	Filters    int
	KernelSize [2]int // height, width
	Strides    [2]int // height, width; zero means (1, 1)
	Padding    Padding
	NoBias     bool // use_bias=False
}

// Conv2D is a 2-D convolution over an NHWC batch (cross-correlation, as in
// Keras). Kernel keeps Keras's layout [kh, kw, in channels, filters], which
// flattened to [kh*kw*cin, filters] is the right-hand operand of the
// im2col product as it stands.
type Conv2D struct {
	Conv2DConfig
	Kernel *Param // [kh, kw, cin, filters]
	Bias   *Param // [filters]; nil when NoBias
}

// NewConv2D creates the layer for inputs with inChannels channels. The
// kernel is drawn from glorot_uniform with rng (fan_in = kh*kw*cin,
// fan_out = kh*kw*filters) and the bias is zero; a nil rng leaves the
// kernel zero, for weights about to be loaded.
func NewConv2D(cfg Conv2DConfig, inChannels int, rng *rand.Rand) (*Conv2D, error) {
	if cfg.Strides == [2]int{} {
		cfg.Strides = [2]int{1, 1}
	}
	kh, kw := cfg.KernelSize[0], cfg.KernelSize[1]
	l := &Conv2D{Conv2DConfig: cfg}
	if err := cfg.check(l); err != nil {
		return nil, err
	}
	if inChannels < 1 {
		return nil, layerErr(l, "%d input channels", inChannels)
	}
	l.Kernel = newParam("kernel", true, kh, kw, inChannels, cfg.Filters)
	if rng != nil {
		GlorotUniform(l.Kernel.Value, kh*kw*inChannels, kh*kw*cfg.Filters, rng)
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

// InChannels is the number of input channels the kernel expects.
func (l *Conv2D) InChannels() int { return l.Kernel.Shape[2] }

// check reports a configuration Keras would reject, as an error about l.
func (c *Conv2DConfig) check(l Layer) error {
	switch {
	case c.Filters < 1:
		return layerErr(l, "filters = %d, want at least 1", c.Filters)
	case c.KernelSize[0] < 1 || c.KernelSize[1] < 1:
		return layerErr(l, "kernel size %v, want positive", c.KernelSize)
	case c.Strides[0] < 1 || c.Strides[1] < 1:
		return layerErr(l, "strides %v, want positive", c.Strides)
	case c.Padding != Valid && c.Padding != Same:
		return layerErr(l, "unknown padding %v", c.Padding)
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
		return layerErr(l, "kernel has shape %v and %d values, want (%d, %d, cin, %d)",
			k, len(l.Kernel.Value), l.KernelSize[0], l.KernelSize[1], l.Filters)
	}
	if l.NoBias != (l.Bias == nil) || l.Bias != nil && (len(l.Bias.Value) != l.Filters) {
		return layerErr(l, "bias does not match use_bias=%v and %d filters", !l.NoBias, l.Filters)
	}
	return nil
}

func (l *Conv2D) OutputShape(in ...Shape) (Shape, error) {
	g, err := l.Geometry(1, in...)
	if err != nil {
		return nil, err
	}
	return Shape{g.OutH(), g.OutW(), l.Filters}, nil
}

// Geometry returns the im2col geometry of the convolution over a batch of
// the given size with per-sample input shape in (H, W, C), with the padding
// Keras's padding mode implies.
func (l *Conv2D) Geometry(batch int, in ...Shape) (im2col.Geometry, error) {
	if err := l.check(); err != nil {
		return im2col.Geometry{}, err
	}
	s, err := oneInput(l, in, 3, "(None, H, W, C)")
	if err != nil {
		return im2col.Geometry{}, err
	}
	if s[2] != l.InChannels() {
		return im2col.Geometry{}, layerErr(l, "input shape %v, want (None, H, W, %d)", s.Keras(), l.InChannels())
	}
	g := im2col.Geometry{N: batch, H: s[0], W: s[1], C: s[2], KH: l.KernelSize[0], KW: l.KernelSize[1], SH: l.Strides[0], SW: l.Strides[1]}
	var oh, ow int
	oh, g.PadTop, g.PadBottom = l.Padding.Window(g.H, g.KH, g.SH)
	ow, g.PadLeft, g.PadRight = l.Padding.Window(g.W, g.KW, g.SW)
	if oh < 1 || ow < 1 {
		return im2col.Geometry{}, layerErr(l, "input shape %v is smaller than the %d×%d kernel", s.Keras(), g.KH, g.KW)
	}
	if err := g.Validate(); err != nil {
		return im2col.Geometry{}, layerErr(l, "%v", err)
	}
	return g, nil
}

// Forward computes the convolution as one gemm product, patches × kernel,
// plus the bias. A 1×1 stride-1 convolution multiplies the input itself;
// any other is fed to gemm by an im2col.Packer, so no patch matrix is built.
func (l *Conv2D) Forward(out *Tensor, in []*Tensor, _ Mode) error {
	if err := checkForward(l, out, in); err != nil {
		return err
	}
	x := in[0]
	g, _ := l.Geometry(x.Shape[0], x.Shape[1:])
	var pk *im2col.Packer
	if !directA(g) {
		pk = im2col.NewPacker(x.Data, g)
	}
	p := l.Product(out.Data, x.Data, g, pk)
	gemm.Run(&p)
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
