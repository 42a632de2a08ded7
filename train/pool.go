package train

import (
	"github.com/simdnet/simdnet/ops"

	"github.com/simdnet/simdnet/internal/parallel"
)

// poolGeom is a pooling layer's geometry for one input shape (N, H, W, C):
// a kh×kw window, output oh×ow, the windows as the layer resolves them
// (padding, ceil_mode, count_include_pad).
type poolGeom struct {
	n, h, w, c int
	kh, kw     int
	oh, ow     int
	win        ops.PoolWindows
}

// newPoolGeom resolves a pooling layer's windows on an input of shape in
// (with the batch); the plan checked the shape.
func newPoolGeom(l ops.Layer, cfg ops.Pool2DConfig, in ops.Shape) poolGeom {
	var win ops.PoolWindows
	var err error
	switch l := l.(type) {
	case *ops.MaxPooling2D:
		win, err = l.Windows(in[1:])
	case *ops.AveragePooling2D:
		win, err = l.Windows(in[1:])
	}
	if err != nil {
		panic("train: " + err.Error())
	}
	g := poolGeom{n: in[0], h: in[1], w: in[2], c: in[3], kh: cfg.PoolSize[0], kw: cfg.PoolSize[1], win: win}
	g.oh, g.ow = win.Out()
	return g
}

// window returns the part of output cell (y, x)'s window inside the image.
func (g *poolGeom) window(y, x int) (y0, y1, x0, x1 int) { return g.win.Window(y, x) }

// maxPoolForward is MaxPooling2D's forward that also records, for every
// output value, the offset within its image of the input value it came
// from (the first of equal maxima), so the backward pass is a scatter.
func maxPoolForward(l *ops.MaxPooling2D, out, x *ops.Tensor, argmax []int32) {
	g := newPoolGeom(l, l.Pool2DConfig, x.Shape)
	ch := g.c
	imgLen := g.h * g.w * ch
	parallel.For(g.n*g.oh, parallel.Grain(g.ow*ch*g.kh*g.kw), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			n, y := r/g.oh, r%g.oh
			img := x.Data[n*imgLen : (n+1)*imgLen]
			for xo := range g.ow {
				o := (r*g.ow + xo) * ch
				dst, arg := out.Data[o:o+ch], argmax[o:o+ch]
				y0, y1, x0, x1 := g.window(y, xo)
				first := (y0*g.w + x0) * ch
				copy(dst, img[first:first+ch])
				for i := range arg {
					arg[i] = int32(first + i)
				}
				for iy := y0; iy < y1; iy++ {
					for ix := x0; ix < x1; ix++ {
						off := (iy*g.w + ix) * ch
						for i, v := range img[off : off+ch][:len(dst)] {
							if v > dst[i] {
								dst[i] = v
								arg[i] = int32(off + i)
							}
						}
					}
				}
			}
		}
	})
}

// maxPoolBackward sends each output gradient to the input its maximum came
// from. Windows may overlap, so images, not rows, are split between
// goroutines.
func maxPoolBackward(dx, g []float32, argmax []int32, in, out ops.Shape, accum bool) {
	imgLen, outLen := in[1]*in[2]*in[3], out[1]*out[2]*out[3]
	parallel.For(in[0], parallel.Grain(imgLen), func(lo, hi int) {
		for n := lo; n < hi; n++ {
			d := dx[n*imgLen : (n+1)*imgLen]
			if !accum {
				clear(d)
			}
			arg := argmax[n*outLen : (n+1)*outLen]
			for i, v := range g[n*outLen : (n+1)*outLen] {
				d[arg[i]] += v
			}
		}
	})
}

// avgPoolBackward spreads each output gradient over the input cells its
// window averaged, divided as the forward divides (by the cells inside the
// image, or with count_include_pad by the window within the padding).
func avgPoolBackward(l *ops.AveragePooling2D, dx, g []float32, in ops.Shape, accum bool) {
	pg := newPoolGeom(l, l.Pool2DConfig, in)
	ch := pg.c
	imgLen, outLen := pg.h*pg.w*ch, pg.oh*pg.ow*ch
	parallel.For(pg.n, parallel.Grain(imgLen), func(lo, hi int) {
		for n := lo; n < hi; n++ {
			d := dx[n*imgLen : (n+1)*imgLen]
			if !accum {
				clear(d)
			}
			for y := range pg.oh {
				for x := range pg.ow {
					src := g[n*outLen+(y*pg.ow+x)*ch:][:ch]
					y0, y1, x0, x1 := pg.window(y, x)
					inv := 1 / float32(pg.win.Divisor(y, x))
					for iy := y0; iy < y1; iy++ {
						for ix := x0; ix < x1; ix++ {
							dst := d[(iy*pg.w+ix)*ch:][:ch]
							for i, v := range src {
								dst[i] += v * inv
							}
						}
					}
				}
			}
		}
	})
}

// globalPoolBackward is the backward pass of the global poolings: the
// average hands every pixel g/(H·W); the maximum hands g to the first pixel
// holding the maximum, found again by comparing the input with the output
// (one pass over the input either way, and no state to keep).
func globalPoolBackward(isMax bool, dx, g, x, y []float32, in ops.Shape, accum bool) {
	pixels, c := in[1]*in[2], in[3]
	inv := 1 / float32(pixels)
	parallel.For(in[0], parallel.Grain(pixels*c), func(lo, hi int) {
		for n := lo; n < hi; n++ {
			d, xs := dx[n*pixels*c:(n+1)*pixels*c], x[n*pixels*c:(n+1)*pixels*c]
			gs, ys := g[n*c:(n+1)*c], y[n*c:(n+1)*c]
			if !accum {
				clear(d)
			}
			if !isMax {
				for p := 0; p < len(d); p += c {
					for i, v := range gs {
						d[p+i] += v * inv
					}
				}
				continue
			}
			for i, v := range gs {
				for p := i; p < len(xs); p += c {
					if xs[p] == ys[i] {
						d[p] += v
						break
					}
				}
			}
		}
	})
}
