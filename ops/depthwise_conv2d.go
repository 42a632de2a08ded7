package ops

import (
	"math/rand/v2"

	"github.com/simdnet/simdnet/internal/parallel"
)

// DepthwiseConv2DConfig is what Keras's DepthwiseConv2D takes:
// DepthwiseConv2D(kernel_size, strides, padding, depth_multiplier,
// dilation_rate, activation, use_bias, name).
type DepthwiseConv2DConfig struct {
	Name            string
	KernelSize      [2]int // height, width
	Strides         [2]int // zero means (1, 1)
	Padding         Padding
	DepthMultiplier int    // output channels per input channel; zero means 1
	DilationRate    [2]int // zero means (1, 1)
	Activation      ActFunc
	NoBias          bool // use_bias=False
}

// DepthwiseConv2D convolves each input channel with its own
// depth_multiplier filters over an NHWC batch. Input channel c and
// multiplier j give output channel c·depth_multiplier + j, as in Keras.
type DepthwiseConv2D struct {
	DepthwiseConv2DConfig
	Kernel *Param // depthwise_kernel, [kh, kw, in channels, depth_multiplier]
	Bias   *Param // [in channels · depth_multiplier]; nil when NoBias
}

// NewDepthwiseConv2D creates the layer for inputs with inChannels channels,
// the kernel drawn from glorot_uniform (fan_in kh·kw·cin, fan_out
// kh·kw·depth_multiplier, as Keras computes them for this shape) and a zero
// bias; a nil rng leaves the kernel zero.
func NewDepthwiseConv2D(cfg DepthwiseConv2DConfig, inChannels int, rng *rand.Rand) (*DepthwiseConv2D, error) {
	cfg.Strides, cfg.DilationRate = orOne(cfg.Strides), orOne(cfg.DilationRate)
	if cfg.DepthMultiplier == 0 {
		cfg.DepthMultiplier = 1
	}
	l := &DepthwiseConv2D{DepthwiseConv2DConfig: cfg}
	if err := l.checkConfig(); err != nil {
		return nil, err
	}
	if inChannels < 1 {
		return nil, layerErr(l, "%d input channels", inChannels)
	}
	kh, kw, m := cfg.KernelSize[0], cfg.KernelSize[1], cfg.DepthMultiplier
	l.Kernel = newParam("depthwise_kernel", true, kh, kw, inChannels, m)
	if rng != nil {
		GlorotUniform(l.Kernel.Value, kh*kw*inChannels, kh*kw*m, rng)
	}
	if !cfg.NoBias {
		l.Bias = newParam("bias", true, inChannels*m)
	}
	return l, nil
}

func (l *DepthwiseConv2D) LayerName() string { return l.Name }
func (l *DepthwiseConv2D) Class() string     { return "DepthwiseConv2D" }

// Params returns depthwise_kernel and bias, in Keras order.
func (l *DepthwiseConv2D) Params() []*Param {
	if l.Bias == nil {
		return []*Param{l.Kernel}
	}
	return []*Param{l.Kernel, l.Bias}
}

// OutputActivation is the fused activation.
func (l *DepthwiseConv2D) OutputActivation() ActFunc { return l.Activation }

// InChannels is the number of input channels the kernel expects.
func (l *DepthwiseConv2D) InChannels() int { return l.Kernel.Shape[2] }

func (l *DepthwiseConv2D) checkConfig() error {
	c := &l.DepthwiseConv2DConfig
	if err := checkConvArgs(l, c.KernelSize, c.Strides, c.DilationRate, c.Padding); err != nil {
		return err
	}
	switch {
	case c.DepthMultiplier < 1:
		return layerErr(l, "depth_multiplier = %d, want at least 1", c.DepthMultiplier)
	case !c.Activation.valid():
		return layerErr(l, "unknown activation %v", c.Activation)
	case c.Activation == Softmax:
		return layerErr(l, "softmax is not an activation= of a convolution here; add an Activation layer")
	}
	return nil
}

// check validates the configuration and that the weights match it.
func (l *DepthwiseConv2D) check() error {
	if err := l.checkConfig(); err != nil {
		return err
	}
	if l.Kernel == nil {
		return layerErr(l, "no depthwise kernel")
	}
	k := l.Kernel.Shape
	if len(k) != 4 || k[0] != l.KernelSize[0] || k[1] != l.KernelSize[1] || k[2] < 1 || k[3] != l.DepthMultiplier || len(l.Kernel.Value) != k.Len() {
		return layerErr(l, "depthwise kernel has shape %v and %d values, want (%d, %d, cin, %d)",
			k, len(l.Kernel.Value), l.KernelSize[0], l.KernelSize[1], l.DepthMultiplier)
	}
	if l.NoBias != (l.Bias == nil) || l.Bias != nil && len(l.Bias.Value) != k[2]*k[3] {
		return layerErr(l, "bias does not match use_bias=%v and %d output channels", !l.NoBias, k[2]*k[3])
	}
	return nil
}

// DepthwiseGeometry is a depthwise convolution's sampling pattern over an
// NHWC batch: input N×H×W×C, M filters per channel, a KH×KW kernel moved
// by SH×SW with taps DH×DW apart, zero padding on each side, and the
// output OutH×OutW×(C·M).
type DepthwiseGeometry struct {
	N, H, W, C, M     int
	KH, KW            int
	SH, SW            int
	DH, DW            int
	PadTop, PadBottom int
	PadLeft, PadRight int
	OutH, OutW        int
}

// Geometry resolves the convolution over a batch of the given size with
// per-sample input shape in (H, W, C).
func (l *DepthwiseConv2D) Geometry(batch int, in ...Shape) (DepthwiseGeometry, error) {
	if err := l.check(); err != nil {
		return DepthwiseGeometry{}, err
	}
	s, err := oneInput(l, in, 3, "(None, H, W, C)")
	if err != nil {
		return DepthwiseGeometry{}, err
	}
	if s[2] != l.InChannels() {
		return DepthwiseGeometry{}, layerErr(l, "input shape %v, want (None, H, W, %d)", s.Keras(), l.InChannels())
	}
	y := newConvWindow(l.Padding, s[0], l.KernelSize[0], l.Strides[0], l.DilationRate[0])
	x := newConvWindow(l.Padding, s[1], l.KernelSize[1], l.Strides[1], l.DilationRate[1])
	if y.out < 1 || x.out < 1 {
		return DepthwiseGeometry{}, layerErr(l, "input shape %v is smaller than the %d×%d kernel dilated to %d×%d",
			s.Keras(), y.k, x.k, y.span(), x.span())
	}
	return DepthwiseGeometry{N: batch, H: s[0], W: s[1], C: s[2], M: l.DepthMultiplier,
		KH: y.k, KW: x.k, SH: y.stride, SW: x.stride, DH: y.dilation, DW: x.dilation,
		PadTop: y.before, PadBottom: y.after, PadLeft: x.before, PadRight: x.after,
		OutH: y.out, OutW: x.out}, nil
}

func (l *DepthwiseConv2D) OutputShape(in ...Shape) (Shape, error) {
	g, err := l.Geometry(1, in...)
	if err != nil {
		return nil, err
	}
	return Shape{g.OutH, g.OutW, g.C * g.M}, nil
}

// Forward convolves output row by output row, the rows spread over the
// cores; each output pixel's channel vector gathers its taps in order.
func (l *DepthwiseConv2D) Forward(out *Tensor, in []*Tensor, _ Mode) error {
	return l.forward(out, in, l.Activation)
}

// ForwardLinear is Forward without the activation.
func (l *DepthwiseConv2D) ForwardLinear(out *Tensor, in []*Tensor, _ Mode) error {
	return l.forward(out, in, Linear)
}

func (l *DepthwiseConv2D) forward(out *Tensor, in []*Tensor, act ActFunc) error {
	if err := checkForward(l, out, in); err != nil {
		return err
	}
	x := in[0]
	g, _ := l.Geometry(x.Shape[0], x.Shape[1:])
	var bias []float32
	if l.Bias != nil {
		bias = l.Bias.Value
	}
	rowLen := g.OutW * g.C * g.M
	parallel.For(g.N*g.OutH, parallel.Grain(rowLen*g.KH*g.KW), func(lo, hi int) {
		DepthwiseRows(g, out.Data, x.Data, l.Kernel.Value, bias, lo, hi)
		applyElementwise(act, out.Data[lo*rowLen:hi*rowLen], out.Data[lo*rowLen:hi*rowLen])
	})
	return nil
}

// DepthwiseRows computes output rows [lo, hi) of the depthwise convolution
// of x (geometry g, kernel k laid out [kh, kw, C, M], bias of C·M or nil)
// into out; row r is image r/OutH, output row r%OutH. It is the portable
// kernel layers and plans share.
func DepthwiseRows(g DepthwiseGeometry, out, x, k, bias []float32, lo, hi int) {
	c, m := g.C, g.M
	cm := c * m
	for r := lo; r < hi; r++ {
		n, oy := r/g.OutH, r%g.OutH
		img := x[n*g.H*g.W*c : (n+1)*g.H*g.W*c]
		for ox := 0; ox < g.OutW; ox++ {
			acc := out[(r*g.OutW+ox)*cm : (r*g.OutW+ox+1)*cm]
			if bias != nil {
				copy(acc, bias)
			} else {
				clear(acc)
			}
			for ky := 0; ky < g.KH; ky++ {
				iy := oy*g.SH - g.PadTop + ky*g.DH
				if iy < 0 || iy >= g.H {
					continue
				}
				for kx := 0; kx < g.KW; kx++ {
					ix := ox*g.SW - g.PadLeft + kx*g.DW
					if ix < 0 || ix >= g.W {
						continue
					}
					px := img[(iy*g.W+ix)*c : (iy*g.W+ix+1)*c]
					w := k[(ky*g.KW+kx)*cm : (ky*g.KW+kx+1)*cm]
					if m == 1 {
						w = w[:len(px)]
						a := acc[:len(px)]
						for i, v := range px {
							a[i] += v * w[i]
						}
						continue
					}
					for i, v := range px {
						wi, ai := w[i*m:(i+1)*m], acc[i*m:(i+1)*m]
						for j, wv := range wi {
							ai[j] += v * wv
						}
					}
				}
			}
		}
	}
}

// ForwardRef computes the convolution by its definition, in float64:
//
//	out[n, y, x, c·M+j] = bias[c·M+j] + Σ_{ky,kx} in[n, y·sh-top+ky·dh, x·sw-left+kx·dw, c] · kernel[ky, kx, c, j]
//
// with taps outside the image contributing nothing, then the activation.
func (l *DepthwiseConv2D) ForwardRef(out *Tensor, in []*Tensor, _ Mode) error {
	if err := checkForward(l, out, in); err != nil {
		return err
	}
	x := in[0]
	g, _ := l.Geometry(x.Shape[0], x.Shape[1:])
	cm := g.C * g.M
	for n := 0; n < g.N; n++ {
		for y := 0; y < g.OutH; y++ {
			for xo := 0; xo < g.OutW; xo++ {
				for c := 0; c < g.C; c++ {
					for j := 0; j < g.M; j++ {
						var sum float64
						if l.Bias != nil {
							sum = float64(l.Bias.Value[c*g.M+j])
						}
						for ky := 0; ky < g.KH; ky++ {
							for kx := 0; kx < g.KW; kx++ {
								iy, ix := y*g.SH-g.PadTop+ky*g.DH, xo*g.SW-g.PadLeft+kx*g.DW
								if iy < 0 || iy >= g.H || ix < 0 || ix >= g.W {
									continue
								}
								sum += float64(x.Data[((n*g.H+iy)*g.W+ix)*g.C+c]) * float64(l.Kernel.Value[((ky*g.KW+kx)*g.C+c)*g.M+j])
							}
						}
						out.Data[((n*g.OutH+y)*g.OutW+xo)*cm+c*g.M+j] = float32(actRef(l.Activation, sum))
					}
				}
			}
		}
	}
	return nil
}
