package ops

import "github.com/simdnet/simdnet/internal/parallel"

// Reshape gives each sample a new shape with the same number of values, as
// Keras's Reshape(target_shape); one dimension may be -1, inferred. In
// row-major order this is a plain copy, which a planner may make free.
type Reshape struct {
	Name        string
	TargetShape Shape // per sample
}

func (l *Reshape) LayerName() string { return l.Name }
func (l *Reshape) Class() string     { return "Reshape" }
func (l *Reshape) Params() []*Param  { return nil }

func (l *Reshape) OutputShape(in ...Shape) (Shape, error) {
	s, err := oneInput(l, in, -1, "(None, ...)")
	if err != nil {
		return nil, err
	}
	if len(l.TargetShape) == 0 {
		return nil, layerErr(l, "empty target_shape")
	}
	out := l.TargetShape.Clone()
	infer, known := -1, 1
	for i, d := range out {
		switch {
		case d == -1 && infer < 0:
			infer = i
		case d < 1:
			return nil, layerErr(l, "target_shape %v: dimension %d, want positive (or one -1)", l.TargetShape, d)
		default:
			known *= d
		}
	}
	if infer >= 0 {
		if s.Len()%known != 0 {
			return nil, layerErr(l, "input shape %v (%d values) cannot be reshaped to %v", s.Keras(), s.Len(), l.TargetShape)
		}
		out[infer] = s.Len() / known
	}
	if out.Len() != s.Len() {
		return nil, layerErr(l, "input shape %v has %d values, target_shape %v holds %d", s.Keras(), s.Len(), l.TargetShape, out.Len())
	}
	return out, nil
}

// Forward copies the data; out may share in[0]'s Data.
func (l *Reshape) Forward(out *Tensor, in []*Tensor, _ Mode) error {
	if err := checkForward(l, out, in); err != nil {
		return err
	}
	copy(out.Data, in[0].Data)
	return nil
}

// ForwardRef is Forward: a copy has no simpler form.
func (l *Reshape) ForwardRef(out *Tensor, in []*Tensor, mode Mode) error {
	return l.Forward(out, in, mode)
}

// Permute reorders the axes of each sample, as Keras's Permute(dims): dims
// is a permutation of 1..rank (the batch axis is 0 and stays), output axis
// i being input axis dims[i]. With two Reshapes it shuffles channels
// (ShuffleNet): (H, W, g·k) → (H, W, g, k) → Permute(1, 2, 4, 3) → (H, W, g·k).
type Permute struct {
	Name string
	Dims []int
}

func (l *Permute) LayerName() string { return l.Name }
func (l *Permute) Class() string     { return "Permute" }
func (l *Permute) Params() []*Param  { return nil }

func (l *Permute) OutputShape(in ...Shape) (Shape, error) {
	s, err := oneInput(l, in, len(l.Dims), "(None, ...) of the rank of dims")
	if err != nil {
		if len(in) == 1 && len(in[0]) != len(l.Dims) {
			return nil, layerErr(l, "dims %v permute %d axes, input shape %v has %d", l.Dims, len(l.Dims), in[0].Keras(), len(in[0]))
		}
		return nil, err
	}
	seen := make([]bool, len(s))
	out := make(Shape, len(s))
	for i, d := range l.Dims {
		if d < 1 || d > len(s) || seen[d-1] {
			return nil, layerErr(l, "dims %v is not a permutation of 1..%d", l.Dims, len(s))
		}
		seen[d-1] = true
		out[i] = s[d-1]
	}
	return out, nil
}

// inStrides returns, for each output axis of a tensor (batch first), the
// step in the input's data that one step along it takes.
func (l *Permute) inStrides(inShape Shape) []int {
	rank := len(inShape)
	st := make([]int, rank)
	step := 1
	for i := rank - 1; i >= 0; i-- {
		st[i] = step
		step *= inShape[i]
	}
	out := make([]int, rank)
	out[0] = st[0]
	for i, d := range l.Dims {
		out[i+1] = st[d]
	}
	return out
}

// Forward gathers the output row by row of its last axis, each row read
// from the input with one stride.
func (l *Permute) Forward(out *Tensor, in []*Tensor, _ Mode) error {
	if err := checkForward(l, out, in); err != nil {
		return err
	}
	st := l.inStrides(in[0].Shape)
	rank := len(out.Shape)
	width, last := out.Shape[rank-1], st[rank-1]
	rows := out.Len() / width
	src := in[0].Data
	parallel.For(rows, parallel.Grain(width), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			off, rem := 0, r
			for d := rank - 2; d >= 0; d-- {
				off += (rem % out.Shape[d]) * st[d]
				rem /= out.Shape[d]
			}
			dst := out.Data[r*width : (r+1)*width]
			if last == 1 {
				copy(dst, src[off:off+width])
				continue
			}
			for i := range dst {
				dst[i] = src[off+i*last]
			}
		}
	})
	return nil
}

// ForwardRef moves each element by its full index: input index j with
// j[dims[i]] = output index i.
func (l *Permute) ForwardRef(out *Tensor, in []*Tensor, _ Mode) error {
	if err := checkForward(l, out, in); err != nil {
		return err
	}
	x := in[0]
	idx := make([]int, len(out.Shape))
	src := make([]int, len(out.Shape))
	for e := range out.Data {
		rem := e
		for d := len(out.Shape) - 1; d >= 0; d-- {
			idx[d] = rem % out.Shape[d]
			rem /= out.Shape[d]
		}
		src[0] = idx[0]
		for i, d := range l.Dims {
			src[d] = idx[i+1]
		}
		off := 0
		for d, n := range x.Shape {
			off = off*n + src[d]
		}
		out.Data[e] = x.Data[off]
	}
	return nil
}
