package ops

import "github.com/simdnet/simdnet/internal/parallel"

// GlobalAveragePooling2D averages each channel over height and width:
// (None, H, W, C) becomes (None, C), or (None, 1, 1, C) with Keepdims
// (Keras's keepdims=True, squeeze-and-excitation's squeeze).
type GlobalAveragePooling2D struct {
	Name     string
	Keepdims bool
}

// GlobalMaxPooling2D takes each channel's maximum over height and width:
// (None, H, W, C) becomes (None, C), or (None, 1, 1, C) with Keepdims.
type GlobalMaxPooling2D struct {
	Name     string
	Keepdims bool
}

func (l *GlobalAveragePooling2D) LayerName() string { return l.Name }
func (l *GlobalAveragePooling2D) Class() string     { return "GlobalAveragePooling2D" }
func (l *GlobalAveragePooling2D) Params() []*Param  { return nil }
func (l *GlobalMaxPooling2D) LayerName() string     { return l.Name }
func (l *GlobalMaxPooling2D) Class() string         { return "GlobalMaxPooling2D" }
func (l *GlobalMaxPooling2D) Params() []*Param      { return nil }

func (l *GlobalAveragePooling2D) OutputShape(in ...Shape) (Shape, error) {
	return globalPoolShape(l, in, l.Keepdims)
}

func (l *GlobalMaxPooling2D) OutputShape(in ...Shape) (Shape, error) {
	return globalPoolShape(l, in, l.Keepdims)
}

func globalPoolShape(l Layer, in []Shape, keepdims bool) (Shape, error) {
	s, err := oneInput(l, in, 3, "(None, H, W, C)")
	if err != nil {
		return nil, err
	}
	if keepdims {
		return Shape{1, 1, s[2]}, nil
	}
	return Shape{s[2]}, nil
}

func (l *GlobalAveragePooling2D) Forward(out *Tensor, in []*Tensor, _ Mode) error {
	return globalPool(l, out, in, poolAvg)
}

func (l *GlobalMaxPooling2D) Forward(out *Tensor, in []*Tensor, _ Mode) error {
	return globalPool(l, out, in, poolMax)
}

// globalPool reduces each image to one channel vector, an image per
// goroutine (see globalPoolRange, which inference plans share).
func globalPool(l Layer, out *Tensor, in []*Tensor, op poolOp) error {
	if err := checkForward(l, out, in); err != nil {
		return err
	}
	x := in[0]
	c := x.Shape[3]
	pixels := x.Shape[1] * x.Shape[2]
	parallel.For(x.Shape[0], parallel.Grain(pixels*c), func(lo, hi int) {
		globalPoolRange(op, out.Data, x.Data, c, lo, hi)
	})
	return nil
}
