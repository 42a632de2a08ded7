package ops

import "math"

// ForwardRef takes each window's maximum over the cells inside the image.
func (l *MaxPooling2D) ForwardRef(out *Tensor, in []*Tensor, _ Mode) error {
	return l.forwardRef(l, out, in, poolMax)
}

// ForwardRef averages each window over the cells inside the image, in
// float64.
func (l *AveragePooling2D) ForwardRef(out *Tensor, in []*Tensor, _ Mode) error {
	return l.forwardRef(l, out, in, poolAvg)
}

func (c *Pool2DConfig) forwardRef(l Layer, out *Tensor, in []*Tensor, op poolOp) error {
	if err := checkForward(l, out, in); err != nil {
		return err
	}
	x := in[0]
	g, _ := c.geometry(l, []Shape{x.Shape[1:]})
	for n := 0; n < x.Shape[0]; n++ {
		for y := 0; y < g.oh; y++ {
			for xo := 0; xo < g.ow; xo++ {
				for ch := 0; ch < g.c; ch++ {
					acc, cells := 0.0, 0
					if op == poolMax {
						acc = math.Inf(-1)
					}
					for ky := 0; ky < g.kh; ky++ {
						for kx := 0; kx < g.kw; kx++ {
							iy, ix := y*g.sh-g.top+ky, xo*g.sw-g.left+kx
							if g.includePad && iy < g.h+g.bottom && ix < g.w+g.right {
								cells++ // a padding cell counts, though it adds zero
							}
							if iy < 0 || iy >= g.h || ix < 0 || ix >= g.w {
								continue
							}
							v := float64(x.Data[((n*g.h+iy)*g.w+ix)*g.c+ch])
							if op == poolMax {
								acc = math.Max(acc, v)
							} else {
								acc += v
							}
							if !g.includePad {
								cells++
							}
						}
					}
					if op == poolAvg {
						acc /= float64(cells)
					}
					out.Data[((n*g.oh+y)*g.ow+xo)*g.c+ch] = float32(acc)
				}
			}
		}
	}
	return nil
}

// ForwardRef averages each channel over the image, in float64.
func (l *GlobalAveragePooling2D) ForwardRef(out *Tensor, in []*Tensor, _ Mode) error {
	return globalPoolRef(l, out, in, poolAvg)
}

// ForwardRef takes each channel's maximum over the image.
func (l *GlobalMaxPooling2D) ForwardRef(out *Tensor, in []*Tensor, _ Mode) error {
	return globalPoolRef(l, out, in, poolMax)
}

func globalPoolRef(l Layer, out *Tensor, in []*Tensor, op poolOp) error {
	if err := checkForward(l, out, in); err != nil {
		return err
	}
	x := in[0]
	n, h, w, c := x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3]
	for b := 0; b < n; b++ {
		for ch := 0; ch < c; ch++ {
			acc := 0.0
			if op == poolMax {
				acc = math.Inf(-1)
			}
			for p := 0; p < h*w; p++ {
				v := float64(x.Data[(b*h*w+p)*c+ch])
				if op == poolMax {
					acc = math.Max(acc, v)
				} else {
					acc += v
				}
			}
			if op == poolAvg {
				acc /= float64(h * w)
			}
			out.Data[b*c+ch] = float32(acc)
		}
	}
	return nil
}
