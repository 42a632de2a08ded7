package ops

// broadcastShape is the NumPy broadcast of per-sample shapes (aligned on
// the right; a dimension of 1 stretches), as Keras's merge layers allow, or
// false when two dimensions differ and neither is 1.
func broadcastShape(in []Shape) (Shape, bool) {
	rank := 0
	for _, s := range in {
		rank = max(rank, len(s))
	}
	out := make(Shape, rank)
	for i := range out {
		out[i] = 1
	}
	for _, s := range in {
		off := rank - len(s)
		for i, d := range s {
			switch o := &out[off+i]; {
			case *o == d || d == 1:
			case *o == 1:
				*o = d
			default:
				return nil, false
			}
		}
	}
	return out, true
}

// BroadcastIndex walks the elements of a per-sample output shape and gives,
// for each input, the offset of the element it contributes. Offsets run in
// rows of the last output axis, along which an input advances by one or
// (broadcast) not at all. Merge layers and their backward passes share it.
type BroadcastIndex struct {
	out     Shape
	strides [][]int // by input, by output axis: the input's step (0 when broadcast)
	sizes   []int   // by input: per-sample length
}

// NewBroadcastIndex indexes the per-sample input shapes in, which
// broadcast to out.
func NewBroadcastIndex(out Shape, in []Shape) *BroadcastIndex {
	b := &BroadcastIndex{out: out, strides: make([][]int, len(in)), sizes: make([]int, len(in))}
	for k, s := range in {
		st := make([]int, len(out))
		off, step := len(out)-len(s), 1
		for i := len(s) - 1; i >= 0; i-- {
			if s[i] != 1 {
				st[off+i] = step
			}
			step *= s[i]
		}
		b.strides[k], b.sizes[k] = st, s.Len()
	}
	return b
}

// Size is input k's per-sample length.
func (b *BroadcastIndex) Size(k int) int { return b.sizes[k] }

// Width is the length of the output's last axis, one row.
func (b *BroadcastIndex) Width() int {
	if len(b.out) == 0 {
		return 1
	}
	return b.out[len(b.out)-1]
}

// RowStep returns input k's step along the last axis: 1, or 0 when that
// input is broadcast along it.
func (b *BroadcastIndex) RowStep(k int) int {
	if len(b.out) == 0 {
		return 0
	}
	return b.strides[k][len(b.out)-1]
}

// Rows is the number of rows of the last axis in one sample.
func (b *BroadcastIndex) Rows() int {
	if len(b.out) == 0 {
		return 1
	}
	return b.out.Len() / b.out[len(b.out)-1]
}

// RowStart returns input k's per-sample offset of row r's first element.
func (b *BroadcastIndex) RowStart(k, r int) int {
	off := 0
	for i := len(b.out) - 2; i >= 0; i-- {
		d := b.out[i]
		off += (r % d) * b.strides[k][i]
		r /= d
	}
	return off
}
