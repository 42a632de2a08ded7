package ops

import (
	"fmt"
	"slices"
)

// Tensor is a dense float32 array in row-major order. Images are NHWC:
// batch, height, width, channels.
type Tensor struct {
	Shape Shape
	Data  []float32 // len(Data) == Shape.Len()
}

// NewTensor returns a zero tensor of the given shape. Like make, it panics
// on a negative dimension.
func NewTensor(shape ...int) *Tensor {
	for _, d := range shape {
		if d < 0 {
			panic(fmt.Sprintf("ops: NewTensor: negative dimension in %v", Shape(shape)))
		}
	}
	s := Shape(shape).Clone()
	return &Tensor{Shape: s, Data: make([]float32, s.Len())}
}

// FromSlice wraps data, without copying it, as a tensor of the given shape.
func FromSlice(data []float32, shape ...int) (*Tensor, error) {
	s := Shape(shape).Clone()
	if slices.ContainsFunc(s, func(d int) bool { return d < 0 }) {
		return nil, fmt.Errorf("ops: FromSlice: negative dimension in %v", s)
	}
	if len(data) != s.Len() {
		return nil, fmt.Errorf("ops: FromSlice: %d values cannot have shape %v (%d values)", len(data), s, s.Len())
	}
	return &Tensor{Shape: s, Data: data}, nil
}

// Len is the number of elements.
func (t *Tensor) Len() int { return len(t.Data) }

// Rank is the number of dimensions.
func (t *Tensor) Rank() int { return len(t.Shape) }

// Reshape returns a view of t with another shape of the same length; the two
// share Data. One dimension may be -1, to be inferred.
func (t *Tensor) Reshape(shape ...int) (*Tensor, error) {
	s := Shape(shape).Clone()
	infer, known := -1, 1
	for i, d := range s {
		switch {
		case d == -1 && infer < 0:
			infer = i
		case d < 0:
			return nil, fmt.Errorf("ops: Reshape %v to %v: bad dimension %d", t.Shape, s, d)
		default:
			known *= d
		}
	}
	if infer >= 0 {
		if known == 0 || len(t.Data)%known != 0 {
			return nil, fmt.Errorf("ops: Reshape %v to %v: cannot infer dimension", t.Shape, s)
		}
		s[infer] = len(t.Data) / known
	}
	if s.Len() != len(t.Data) {
		return nil, fmt.Errorf("ops: Reshape %v (%d values) to %v (%d values)", t.Shape, len(t.Data), s, s.Len())
	}
	return &Tensor{Shape: s, Data: t.Data}, nil
}

// Clone returns a deep copy of t.
func (t *Tensor) Clone() *Tensor {
	return &Tensor{Shape: t.Shape.Clone(), Data: slices.Clone(t.Data)}
}

// At returns the element at the given index, one coordinate per dimension.
// It is meant for tests and panics on a bad index.
func (t *Tensor) At(idx ...int) float32 { return t.Data[t.offset(idx)] }

// Set stores v at the given index; see At.
func (t *Tensor) Set(v float32, idx ...int) { t.Data[t.offset(idx)] = v }

func (t *Tensor) offset(idx []int) int {
	if len(idx) != len(t.Shape) {
		panic(fmt.Sprintf("ops: index %v into a tensor of shape %v", idx, t.Shape))
	}
	off := 0
	for i, x := range idx {
		if x < 0 || x >= t.Shape[i] {
			panic(fmt.Sprintf("ops: index %v out of range for shape %v", idx, t.Shape))
		}
		off = off*t.Shape[i] + x
	}
	return off
}

// String describes the tensor's shape, not its values.
func (t *Tensor) String() string { return fmt.Sprintf("Tensor%v", t.Shape) }
