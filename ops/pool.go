package ops

import "github.com/simdnet/simdnet/internal/parallel"

// Pool2DConfig is what Keras's MaxPooling2D and AveragePooling2D take.
type Pool2DConfig struct {
	Name     string
	PoolSize [2]int // height, width
	Strides  [2]int // height, width; zero means PoolSize, as Keras's None
	Padding  Padding
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
	}
	return nil
}

// poolGeom is one pooling call's geometry: input N×H×W×C, window kh×kw moved
// by sh×sw, padding top and left, output oh×ow.
type poolGeom struct {
	n, h, w, c     int
	kh, kw, sh, sw int
	top, left      int
	oh, ow         int
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
	g.oh, g.top, _ = c.Padding.Window(g.h, g.kh, g.sh)
	g.ow, g.left, _ = c.Padding.Window(g.w, g.kw, g.sw)
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
