package ops

import "github.com/simdnet/simdnet/internal/parallel"

// ZeroPadding2D surrounds each image of an NHWC batch with rows and columns
// of zeros, as Keras's ZeroPadding2D(((top, bottom), (left, right))).
type ZeroPadding2D struct {
	Name                     string
	Top, Bottom, Left, Right int
}

func (l *ZeroPadding2D) LayerName() string { return l.Name }
func (l *ZeroPadding2D) Class() string     { return "ZeroPadding2D" }
func (l *ZeroPadding2D) Params() []*Param  { return nil }

func (l *ZeroPadding2D) OutputShape(in ...Shape) (Shape, error) {
	s, err := oneInput(l, in, 3, "(None, H, W, C)")
	if err != nil {
		return nil, err
	}
	if l.Top < 0 || l.Bottom < 0 || l.Left < 0 || l.Right < 0 {
		return nil, layerErr(l, "negative padding ((%d, %d), (%d, %d))", l.Top, l.Bottom, l.Left, l.Right)
	}
	return Shape{s[0] + l.Top + l.Bottom, s[1] + l.Left + l.Right, s[2]}, nil
}

func (l *ZeroPadding2D) Forward(out *Tensor, in []*Tensor, _ Mode) error {
	if err := checkForward(l, out, in); err != nil {
		return err
	}
	x := in[0]
	h, w, c := x.Shape[1], x.Shape[2], x.Shape[3]
	oh, ow := out.Shape[1], out.Shape[2]
	rowLen := ow * c
	parallel.For(x.Shape[0]*oh, parallel.Grain(rowLen), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			n, y := r/oh, r%oh
			dst := out.Data[r*rowLen : (r+1)*rowLen]
			iy := y - l.Top
			if iy < 0 || iy >= h {
				clear(dst)
				continue
			}
			src := x.Data[(n*h+iy)*w*c : (n*h+iy+1)*w*c]
			clear(dst[:l.Left*c])
			copy(dst[l.Left*c:], src)
			clear(dst[(l.Left+w)*c:])
		}
	})
	return nil
}
