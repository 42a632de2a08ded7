package ops

import "github.com/simdnet/simdnet/internal/parallel"

// Pool2DConfig is what Keras's MaxPooling2D and AveragePooling2D take,
// plus the options of PyTorch's and ONNX's pooling (explicit padding,
// ceil_mode, count_include_pad), which Keras does not have.
type Pool2DConfig struct {
	Name     string
	PoolSize [2]int // height, width
	Strides  [2]int // height, width; zero means PoolSize, as Keras's None
	Padding  Padding
	// Pads is explicit padding (top, bottom, left, right) with Valid, as
	// PyTorch's padding= and ONNX's pads; each must be smaller than the
	// pool on its axis. Padding cells never win a maximum.
	Pads [4]int
	// CeilMode rounds the output size up, as PyTorch's ceil_mode=True,
	// keeping only windows that start inside the image or its top/left
	// padding (Valid only).
	CeilMode bool
	// CountIncludePad makes AveragePooling2D divide by the window's size
	// within the padded input rather than by its cells inside the image
	// (PyTorch's count_include_pad=True, ONNX's count_include_pad=1).
	CountIncludePad bool
}

// MaxPooling2D takes the maximum of each window of an NHWC batch. With Same
// padding, cells in the padding are ignored, as TensorFlow ignores them.
type MaxPooling2D struct{ Pool2DConfig }

// AveragePooling2D averages each window of an NHWC batch. With Same padding
// it divides by the number of cells inside the image, as TensorFlow does.
type AveragePooling2D struct{ Pool2DConfig }

// NewMaxPooling2D resolves the default strides and checks the configuration.
func NewMaxPooling2D(cfg Pool2DConfig) (*MaxPooling2D, error) {
	l := &MaxPooling2D{cfg.withDefaults()}
	return l, l.check(l)
}

// NewAveragePooling2D resolves the default strides and checks the
// configuration.
func NewAveragePooling2D(cfg Pool2DConfig) (*AveragePooling2D, error) {
	l := &AveragePooling2D{cfg.withDefaults()}
	return l, l.check(l)
}

func (l *MaxPooling2D) LayerName() string     { return l.Name }
func (l *MaxPooling2D) Class() string         { return "MaxPooling2D" }
func (l *MaxPooling2D) Params() []*Param      { return nil }
func (l *AveragePooling2D) LayerName() string { return l.Name }
func (l *AveragePooling2D) Class() string     { return "AveragePooling2D" }
func (l *AveragePooling2D) Params() []*Param  { return nil }

func (l *MaxPooling2D) OutputShape(in ...Shape) (Shape, error) {
	g, err := l.geometry(l, in)
	return g.outShape(), err
}

func (l *AveragePooling2D) OutputShape(in ...Shape) (Shape, error) {
	g, err := l.geometry(l, in)
	return g.outShape(), err
}

func (l *MaxPooling2D) Forward(out *Tensor, in []*Tensor, _ Mode) error {
	return l.forward(l, out, in, poolMax)
}

func (l *AveragePooling2D) Forward(out *Tensor, in []*Tensor, _ Mode) error {
	return l.forward(l, out, in, poolAvg)
}

func (c Pool2DConfig) withDefaults() Pool2DConfig {
	if c.Strides == [2]int{} {
		c.Strides = c.PoolSize
	}
	return c
}

func (c *Pool2DConfig) check(l Layer) error {
	s := c.withDefaults().Strides
	switch {
	case c.PoolSize[0] < 1 || c.PoolSize[1] < 1:
		return layerErr(l, "pool size %v, want positive", c.PoolSize)
	case s[0] < 1 || s[1] < 1:
		return layerErr(l, "strides %v, want positive", s)
	case c.Padding != Valid && c.Padding != Same:
		return layerErr(l, "unknown padding %v", c.Padding)
	case c.Padding == Same && (c.Pads != [4]int{} || c.CeilMode):
		return layerErr(l, "explicit pads and ceil_mode go with padding \"valid\", not \"same\"")
	}
	for i, p := range c.Pads {
		if k := c.PoolSize[i/2]; p < 0 || p >= k {
			return layerErr(l, "pads %v: each must be in [0, pool size) = [0, %d)", c.Pads, k)
		}
	}
	return nil
}

// poolGeom is one pooling call's geometry: input N×H×W×C, window kh×kw moved
// by sh×sw, padding top and left, output oh×ow.
type poolGeom struct {
	n, h, w, c     int
	kh, kw, sh, sw int
	top, left      int
	bottom, right  int // padding below and right of the image
	oh, ow         int
	includePad     bool // average over the window within the padded input
}

func (g poolGeom) outShape() Shape {
	if g.oh == 0 {
		return nil
	}
	return Shape{g.oh, g.ow, g.c}
}

// window returns the part of output cell (y, x)'s window inside the image.
func (g *poolGeom) window(y, x int) (y0, y1, x0, x1 int) {
	y0, x0 = y*g.sh-g.top, x*g.sw-g.left
	return max(y0, 0), min(y0+g.kh, g.h), max(x0, 0), min(x0+g.kw, g.w)
}

// divisor is what average pooling divides output cell (y, x)'s sum by: its
// cells inside the image, or with includePad inside the padded input.
func (g *poolGeom) divisor(y, x int) int {
	if g.includePad {
		y0, x0 := y*g.sh-g.top, x*g.sw-g.left
		y1, x1 := min(y0+g.kh, g.h+g.bottom), min(x0+g.kw, g.w+g.right)
		return (y1 - max(y0, -g.top)) * (x1 - max(x0, -g.left))
	}
	y0, y1, x0, x1 := g.window(y, x)
	return (y1 - y0) * (x1 - x0)
}

// poolAxis returns one axis's output length and padding: Keras's modes,
// or explicit padding with PyTorch's floor or ceil rounding.
func (c *Pool2DConfig) poolAxis(in, k, s, before, after int) (out, top, bottom int) {
	if c.Padding == Same {
		return c.Padding.Window(in, k, s)
	}
	padded := in + before + after
	if padded < k {
		return 0, 0, 0
	}
	out = (padded-k)/s + 1
	if c.CeilMode {
		out = (padded-k+s-1)/s + 1
		if (out-1)*s >= in+before { // the last window would start in the bottom padding
			out--
		}
	}
	return out, before, after
}

func (c *Pool2DConfig) geometry(l Layer, in []Shape) (poolGeom, error) {
	if err := c.check(l); err != nil {
		return poolGeom{}, err
	}
	s, err := oneInput(l, in, 3, "(None, H, W, C)")
	if err != nil {
		return poolGeom{}, err
	}
	st := c.withDefaults().Strides
	g := poolGeom{h: s[0], w: s[1], c: s[2], kh: c.PoolSize[0], kw: c.PoolSize[1], sh: st[0], sw: st[1]}
	g.oh, g.top, g.bottom = c.poolAxis(g.h, g.kh, g.sh, c.Pads[0], c.Pads[1])
	g.ow, g.left, g.right = c.poolAxis(g.w, g.kw, g.sw, c.Pads[2], c.Pads[3])
	g.includePad = c.CountIncludePad
	if g.oh < 1 || g.ow < 1 {
		return poolGeom{}, layerErr(l, "input shape %v is smaller than the %d×%d pool", s.Keras(), g.kh, g.kw)
	}
	return g, nil
}

type poolOp uint8

const (
	poolMax poolOp = iota
	poolAvg
)

// forward pools each output row on its own, spread over the cores (see
// poolRange, which inference plans share).
func (c *Pool2DConfig) forward(l Layer, out *Tensor, in []*Tensor, op poolOp) error {
	if err := checkForward(l, out, in); err != nil {
		return err
	}
	x := in[0]
	g, _ := c.geometry(l, []Shape{x.Shape[1:]})
	g.n = x.Shape[0]
	parallel.For(g.n*g.oh, parallel.Grain(g.ow*g.c*g.kh*g.kw), func(lo, hi int) {
		poolRange(g, op, out.Data, x.Data, lo, hi)
	})
	return nil
}
