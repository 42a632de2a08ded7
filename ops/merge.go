package ops

import (
	"math"

	"github.com/simdnet/simdnet/internal/parallel"
)

// mergeOp is the element-wise operation of a merge layer.
type mergeOp uint8

const (
	mergeAdd mergeOp = iota
	mergeMultiply
	mergeSubtract
	mergeMaximum
	mergeMinimum
	mergeAverage
)

func (op mergeOp) apply(a, b float32) float32 {
	switch op {
	case mergeMultiply:
		return a * b
	case mergeSubtract:
		return a - b
	case mergeMaximum:
		return max(a, b)
	case mergeMinimum:
		return min(a, b)
	}
	return a + b // add, average (scaled at the end)
}

func (op mergeOp) apply64(a, b float64) float64 {
	switch op {
	case mergeMultiply:
		return a * b
	case mergeSubtract:
		return a - b
	case mergeMaximum:
		return math.Max(a, b)
	case mergeMinimum:
		return math.Min(a, b)
	}
	return a + b
}

// mergeShape checks a merge layer's inputs: at least two (Subtract: two),
// whose shapes broadcast, as Keras's merge layers allow; an input of shape
// (1, 1, C) scales or shifts an (H, W, C) one (squeeze-and-excitation).
func mergeShape(l Layer, op mergeOp, in []Shape) (Shape, error) {
	switch {
	case op == mergeSubtract && len(in) != 2:
		return nil, layerErr(l, "got %d inputs, want 2", len(in))
	case len(in) < 2:
		return nil, layerErr(l, "got %d inputs, want at least 2", len(in))
	}
	for i, s := range in {
		if len(s) == 0 || s.Len() == 0 {
			return nil, layerErr(l, "input %d has shape %v, want (None, ...) with no empty dimension", i, s.Keras())
		}
	}
	out, ok := broadcastShape(in)
	if !ok {
		for i, s := range in[1:] {
			if _, ok := broadcastShape([]Shape{in[0], s}); !ok {
				return nil, layerErr(l, "input %d has shape %v, want %v like input 0 (or 1 where it broadcasts)", i+1, s.Keras(), in[0].Keras())
			}
		}
		return nil, layerErr(l, "input shapes do not broadcast to one shape")
	}
	return out, nil
}

// sameShapes reports whether every input has the output's shape.
func sameShapes(in []*Tensor, out *Tensor) bool {
	for _, t := range in {
		if len(t.Data) != len(out.Data) {
			return false
		}
	}
	return true
}

// mergeForward combines the inputs element by element: a flat loop when
// all shapes agree, otherwise row by row of the last axis with each input
// broadcast where its dimension is 1.
func mergeForward(l Layer, op mergeOp, out *Tensor, in []*Tensor) error {
	if err := checkForward(l, out, in); err != nil {
		return err
	}
	scale := float32(1)
	if op == mergeAverage {
		scale = 1 / float32(len(in))
	}
	if sameShapes(in, out) {
		parallel.For(out.Len(), parallel.MinWork, func(lo, hi int) {
			dst := out.Data[lo:hi]
			a, b := in[0].Data[lo:hi], in[1].Data[lo:hi]
			for i := range dst {
				dst[i] = op.apply(a[i], b[i])
			}
			for _, t := range in[2:] {
				for i, v := range t.Data[lo:hi] {
					dst[i] = op.apply(dst[i], v)
				}
			}
			if scale != 1 {
				for i := range dst {
					dst[i] *= scale
				}
			}
		})
		return nil
	}
	shapes := make([]Shape, len(in))
	for i, t := range in {
		shapes[i] = t.Shape[1:]
	}
	bi := NewBroadcastIndex(out.Shape[1:], shapes)
	width, rows, sample := bi.Width(), bi.Rows(), out.Len()/out.Shape[0]
	srcs := make([][]float32, len(in))
	for k, x := range in {
		srcs[k] = x.Data
	}
	parallel.For(out.Shape[0]*rows, parallel.Grain(width*len(in)), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			n, rr := r/rows, r%rows
			mergeRow(op, bi, out.Data[n*sample+rr*width:n*sample+(rr+1)*width], srcs, n, rr, scale)
		}
	})
	return nil
}

// mergeRef combines the inputs by the definition, in float64, finding each
// input's element through its own broadcast index.
func mergeRef(l Layer, op mergeOp, out *Tensor, in []*Tensor) error {
	if err := checkForward(l, out, in); err != nil {
		return err
	}
	shape := out.Shape[1:]
	sample := shape.Len()
	idx := make([]int, len(shape))
	for n := 0; n < out.Shape[0]; n++ {
		for e := 0; e < sample; e++ {
			rem := e
			for i := len(shape) - 1; i >= 0; i-- {
				idx[i] = rem % shape[i]
				rem /= shape[i]
			}
			var acc float64
			for k, t := range in {
				s := t.Shape[1:]
				off, step := 0, 1
				for i := len(s) - 1; i >= 0; i-- {
					if s[i] != 1 {
						off += idx[len(shape)-len(s)+i] * step
					}
					step *= s[i]
				}
				v := float64(t.Data[n*s.Len()+off])
				if k == 0 {
					acc = v
				} else {
					acc = op.apply64(acc, v)
				}
			}
			if op == mergeAverage {
				acc /= float64(len(in))
			}
			out.Data[n*sample+e] = float32(acc)
		}
	}
	return nil
}

// Multiply multiplies its inputs element by element, broadcasting as
// Keras's Multiply does (squeeze-and-excitation scales an (H, W, C) tensor
// by a (1, 1, C) one).
type Multiply struct{ Name string }

// Subtract is input 0 minus input 1, broadcasting.
type Subtract struct{ Name string }

// Maximum, Minimum and Average combine their inputs element by element,
// broadcasting.
type (
	Maximum struct{ Name string }
	Minimum struct{ Name string }
	Average struct{ Name string }
)

func (l *Multiply) LayerName() string { return l.Name }
func (l *Multiply) Class() string     { return "Multiply" }
func (l *Multiply) Params() []*Param  { return nil }
func (l *Multiply) OutputShape(in ...Shape) (Shape, error) {
	return mergeShape(l, mergeMultiply, in)
}
func (l *Multiply) Forward(out *Tensor, in []*Tensor, _ Mode) error {
	return mergeForward(l, mergeMultiply, out, in)
}
func (l *Multiply) ForwardRef(out *Tensor, in []*Tensor, _ Mode) error {
	return mergeRef(l, mergeMultiply, out, in)
}

func (l *Subtract) LayerName() string { return l.Name }
func (l *Subtract) Class() string     { return "Subtract" }
func (l *Subtract) Params() []*Param  { return nil }
func (l *Subtract) OutputShape(in ...Shape) (Shape, error) {
	return mergeShape(l, mergeSubtract, in)
}
func (l *Subtract) Forward(out *Tensor, in []*Tensor, _ Mode) error {
	return mergeForward(l, mergeSubtract, out, in)
}
func (l *Subtract) ForwardRef(out *Tensor, in []*Tensor, _ Mode) error {
	return mergeRef(l, mergeSubtract, out, in)
}

func (l *Maximum) LayerName() string { return l.Name }
func (l *Maximum) Class() string     { return "Maximum" }
func (l *Maximum) Params() []*Param  { return nil }
func (l *Maximum) OutputShape(in ...Shape) (Shape, error) {
	return mergeShape(l, mergeMaximum, in)
}
func (l *Maximum) Forward(out *Tensor, in []*Tensor, _ Mode) error {
	return mergeForward(l, mergeMaximum, out, in)
}
func (l *Maximum) ForwardRef(out *Tensor, in []*Tensor, _ Mode) error {
	return mergeRef(l, mergeMaximum, out, in)
}

func (l *Minimum) LayerName() string { return l.Name }
func (l *Minimum) Class() string     { return "Minimum" }
func (l *Minimum) Params() []*Param  { return nil }
func (l *Minimum) OutputShape(in ...Shape) (Shape, error) {
	return mergeShape(l, mergeMinimum, in)
}
func (l *Minimum) Forward(out *Tensor, in []*Tensor, _ Mode) error {
	return mergeForward(l, mergeMinimum, out, in)
}
func (l *Minimum) ForwardRef(out *Tensor, in []*Tensor, _ Mode) error {
	return mergeRef(l, mergeMinimum, out, in)
}

func (l *Average) LayerName() string { return l.Name }
func (l *Average) Class() string     { return "Average" }
func (l *Average) Params() []*Param  { return nil }
func (l *Average) OutputShape(in ...Shape) (Shape, error) {
	return mergeShape(l, mergeAverage, in)
}
func (l *Average) Forward(out *Tensor, in []*Tensor, _ Mode) error {
	return mergeForward(l, mergeAverage, out, in)
}
func (l *Average) ForwardRef(out *Tensor, in []*Tensor, _ Mode) error {
	return mergeRef(l, mergeAverage, out, in)
}

// mergeRow writes row rr of sample n of the merge of srcs (each input's
// whole batch, broadcast as bi says) into d, scaled by scale: the one row
// loop of the layer's Forward and of its planned kernel.
func mergeRow(op mergeOp, bi *BroadcastIndex, d []float32, srcs [][]float32, n, rr int, scale float32) {
	width := len(d)
	for k, x := range srcs {
		s := x[n*bi.Size(k)+bi.RowStart(k, rr):]
		switch step := bi.RowStep(k); {
		case k == 0 && step == 1:
			copy(d, s[:width])
		case k == 0:
			for i := range d {
				d[i] = s[0]
			}
		case step == 1:
			s = s[:width]
			for i, v := range s {
				d[i] = op.apply(d[i], v)
			}
		default:
			v := s[0]
			for i := range d {
				d[i] = op.apply(d[i], v)
			}
		}
	}
	if scale != 1 {
		for i := range d {
			d[i] *= scale
		}
	}
}
