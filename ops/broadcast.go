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

// broadcastIndex walks the elements of a per-sample output shape and gives,
// for each input, the offset of the element it contributes. Offsets run in
// rows of the last output axis, along which an input advances by one or
// (broadcast) not at all.
type broadcastIndex struct {
	out     Shape
	strides [][]int // by input, by output axis: the input's step (0 when broadcast)
	sizes   []int   // by input: per-sample length
}

func newBroadcastIndex(out Shape, in []Shape) *broadcastIndex {
	b := &broadcastIndex{out: out, strides: make([][]int, len(in)), sizes: make([]int, len(in))}
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

// rowStep returns input k's step along the last axis: 1, or 0 when that
// input is broadcast along it.
func (b *broadcastIndex) rowStep(k int) int {
	if len(b.out) == 0 {
		return 0
	}
	return b.strides[k][len(b.out)-1]
}

// rows is the number of rows of the last axis in one sample.
func (b *broadcastIndex) rows() int {
	if len(b.out) == 0 {
		return 1
	}
	return b.out.Len() / b.out[len(b.out)-1]
}

// rowStart returns input k's per-sample offset of row r's first element.
func (b *broadcastIndex) rowStart(k, r int) int {
	off := 0
	for i := len(b.out) - 2; i >= 0; i-- {
		d := b.out[i]
		off += (r % d) * b.strides[k][i]
		r /= d
	}
	return off
}
