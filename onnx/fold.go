package onnx

import (
	"fmt"
	"math"
	"slices"
)

// MaxFoldedElements bounds every tensor that constant folding creates.
// Shape arithmetic works on a handful of integers; the bound keeps a
// hostile file from asking for, say, ConstantOfShape([1e9]).
const MaxFoldedElements = 1 << 20

// foldable are the operators evaluated at load when all their inputs are
// constants.
var foldable = map[string]bool{
	"Constant": true, "Identity": true, "Cast": true, "Gather": true, "Unsqueeze": true, "Squeeze": true,
	"Concat": true, "Slice": true, "Reshape": true, "Add": true, "Sub": true, "Mul": true, "Div": true,
	"ConstantOfShape": true, "Flatten": true, "Dropout": true, "Transpose": true,
}

func newTensor(dims []int, isInt bool) (*tensor, error) {
	d64 := make([]int64, len(dims))
	for k, d := range dims {
		d64[k] = int64(d)
	}
	n, err := elements(d64, MaxFoldedElements)
	if err != nil {
		return nil, err
	}
	t := &tensor{dims: slices.Clone(dims), isInt: isInt}
	t.alloc(n)
	return t, nil
}

func scalarInt(v int64) *tensor { return &tensor{dims: []int{}, isInt: true, i: []int64{v}} }

// normAxis maps a possibly negative axis onto [0, rank).
func normAxis(axis int64, rank int) (int, error) {
	if axis < 0 {
		axis += int64(rank)
	}
	if axis < 0 || axis >= int64(rank) {
		return 0, fmt.Errorf("axis %d is out of range for rank %d", axis, rank)
	}
	return int(axis), nil
}

// fold evaluates a node on constant inputs (nil for an omitted optional
// input).
func fold(op string, a attrs, in []*tensor, opset int64) (*tensor, error) {
	need := func(k int) error {
		if len(in) < k {
			return fmt.Errorf("has %d inputs, want %d", len(in), k)
		}
		for _, t := range in[:k] {
			if t == nil {
				return fmt.Errorf("a required input is empty")
			}
		}
		return nil
	}
	switch op {
	case "Identity", "Dropout":
		if err := need(1); err != nil {
			return nil, err
		}
		return in[0], nil
	case "Cast":
		if err := need(1); err != nil {
			return nil, err
		}
		to, err := a.int("to", 0)
		if err != nil {
			return nil, err
		}
		return foldCast(in[0], int32(to))
	case "Add", "Sub", "Mul", "Div":
		if err := need(2); err != nil {
			return nil, err
		}
		return foldBinary(op, in[0], in[1])
	case "Gather":
		if err := need(2); err != nil {
			return nil, err
		}
		axis, err := a.int("axis", 0)
		if err != nil {
			return nil, err
		}
		return foldGather(in[0], in[1], axis)
	case "Unsqueeze", "Squeeze":
		if err := need(1); err != nil {
			return nil, err
		}
		axes, err := axesOf(a, in, opset >= 13)
		if err != nil {
			return nil, err
		}
		dims, err := squeezeDims(op, in[0].dims, axes)
		if err != nil {
			return nil, err
		}
		out := *in[0]
		out.dims = dims
		return &out, nil
	case "Flatten":
		if err := need(1); err != nil {
			return nil, err
		}
		axis, err := a.int("axis", 1)
		if err != nil {
			return nil, err
		}
		r := len(in[0].dims)
		if axis < 0 {
			axis += int64(r)
		}
		if axis < 0 || axis > int64(r) {
			return nil, fmt.Errorf("axis %d is out of range for rank %d", axis, r)
		}
		outer := 1
		for _, d := range in[0].dims[:axis] {
			outer *= d
		}
		out := *in[0]
		out.dims = []int{outer, in[0].len() / max(outer, 1)}
		return &out, nil
	case "Concat":
		axis, err := a.int("axis", 0)
		if err != nil {
			return nil, err
		}
		return foldConcat(in, axis)
	case "Slice":
		if err := need(3); err != nil {
			return nil, err
		}
		return foldSlice(in)
	case "Reshape":
		if err := need(2); err != nil {
			return nil, err
		}
		allowZero, err := a.int("allowzero", 0)
		if err != nil {
			return nil, err
		}
		dims, err := reshapeDims(in[0].dims, in[1].ints(), allowZero != 0)
		if err != nil {
			return nil, err
		}
		out := *in[0]
		out.dims = dims
		return &out, nil
	case "Transpose":
		if err := need(1); err != nil {
			return nil, err
		}
		perm, err := a.ints("perm")
		if err != nil {
			return nil, err
		}
		return foldTranspose(in[0], perm)
	case "ConstantOfShape":
		if err := need(1); err != nil {
			return nil, err
		}
		return foldConstantOfShape(a, in[0])
	}
	return nil, fmt.Errorf("cannot be evaluated at load time")
}

// axesOf reads Squeeze/Unsqueeze axes: an attribute before opset 13, the
// second input from it on.
func axesOf(a attrs, in []*tensor, fromInput bool) ([]int64, error) {
	if !fromInput {
		return a.ints("axes")
	}
	if len(in) < 2 || in[1] == nil {
		return nil, nil
	}
	return in[1].ints(), nil
}

// squeezeDims applies Squeeze (no axes: every 1) or Unsqueeze to dims.
func squeezeDims(op string, dims []int, axes []int64) ([]int, error) {
	if op == "Squeeze" {
		drop := make([]bool, len(dims))
		for _, ax := range axes {
			k, err := normAxis(ax, len(dims))
			if err != nil {
				return nil, err
			}
			if dims[k] != 1 {
				return nil, fmt.Errorf("cannot squeeze axis %d of size %d", ax, dims[k])
			}
			drop[k] = true
		}
		var out []int
		for k, d := range dims {
			if !drop[k] && (len(axes) > 0 || d != 1) {
				out = append(out, d)
			}
		}
		return append([]int{}, out...), nil
	}
	rank := len(dims) + len(axes)
	if len(axes) == 0 || rank > 64 {
		return nil, fmt.Errorf("unsqueeze needs 1 to %d axes, got %d", 64-len(dims), len(axes))
	}
	ins := make([]bool, rank)
	for _, ax := range axes {
		k, err := normAxis(ax, rank)
		if err != nil {
			return nil, err
		}
		if ins[k] {
			return nil, fmt.Errorf("axis %d is given twice", ax)
		}
		ins[k] = true
	}
	out := make([]int, 0, rank)
	next := 0
	for k := range rank {
		if ins[k] {
			out = append(out, 1)
		} else {
			out = append(out, dims[next])
			next++
		}
	}
	return out, nil
}

func foldCast(t *tensor, to int32) (*tensor, error) {
	switch {
	case to == dtFloat || to == dtDouble || to == dtFloat16:
		f, err := t.floats()
		if err != nil {
			return nil, err
		}
		return &tensor{dims: t.dims, f: f}, nil
	case isIntType(to):
		if t.isInt {
			return t, nil
		}
		out := &tensor{dims: t.dims, isInt: true, i: make([]int64, len(t.f))}
		for k, v := range t.f {
			if math.IsNaN(float64(v)) || math.Abs(float64(v)) >= 1<<62 {
				return nil, fmt.Errorf("value %v does not fit an integer", v)
			}
			out.i[k] = int64(v)
		}
		return out, nil
	}
	return nil, fmt.Errorf("cast to %s is not supported", typeName(to))
}

// broadcastDims is NumPy's broadcast of two shapes.
func broadcastDims(a, b []int) ([]int, error) {
	r := max(len(a), len(b))
	out := make([]int, r)
	for k := range r {
		da, db := 1, 1
		if j := k - (r - len(a)); j >= 0 {
			da = a[j]
		}
		if j := k - (r - len(b)); j >= 0 {
			db = b[j]
		}
		switch {
		case da == db || db == 1:
			out[k] = da
		case da == 1:
			out[k] = db
		default:
			return nil, fmt.Errorf("shapes %v and %v do not broadcast", a, b)
		}
	}
	return out, nil
}

// broadcastIndex maps a flat index of the broadcast shape out onto one of
// the operand shape in.
func broadcastIndex(idx int, out, in []int) int {
	src, stride := 0, 1
	for k := len(out) - 1; k >= 0; k-- {
		c := idx % out[k]
		idx /= out[k]
		if j := k - (len(out) - len(in)); j >= 0 {
			if in[j] != 1 {
				src += c * stride
			}
			stride *= in[j]
		}
	}
	return src
}

func foldBinary(op string, a, b *tensor) (*tensor, error) {
	dims, err := broadcastDims(a.dims, b.dims)
	if err != nil {
		return nil, err
	}
	isInt := a.isInt && b.isInt
	out, err := newTensor(dims, isInt)
	if err != nil {
		return nil, err
	}
	if isInt {
		for k := range out.i {
			x, y := a.i[broadcastIndex(k, dims, a.dims)], b.i[broadcastIndex(k, dims, b.dims)]
			if isSym(x) || isSym(y) {
				out.i[k] = symUnknown
				continue
			}
			switch op {
			case "Add":
				out.i[k] = x + y
			case "Sub":
				out.i[k] = x - y
			case "Mul":
				out.i[k] = x * y
			case "Div":
				if y == 0 {
					return nil, fmt.Errorf("integer division by zero")
				}
				out.i[k] = x / y
			}
		}
		return out, nil
	}
	af, err := a.floats()
	if err != nil {
		return nil, err
	}
	bf, err := b.floats()
	if err != nil {
		return nil, err
	}
	for k := range out.f {
		x, y := af[broadcastIndex(k, dims, a.dims)], bf[broadcastIndex(k, dims, b.dims)]
		switch op {
		case "Add":
			out.f[k] = x + y
		case "Sub":
			out.f[k] = x - y
		case "Mul":
			out.f[k] = x * y
		case "Div":
			out.f[k] = x / y
		}
	}
	return out, nil
}

func foldGather(data, indices *tensor, axis int64) (*tensor, error) {
	if len(data.dims) == 0 {
		return nil, fmt.Errorf("gathers from a scalar")
	}
	ax, err := normAxis(axis, len(data.dims))
	if err != nil {
		return nil, err
	}
	if !indices.isInt {
		return nil, fmt.Errorf("indices are not integers")
	}
	dims := slices.Concat(data.dims[:ax], indices.dims, data.dims[ax+1:])
	out, err := newTensor(dims, data.isInt)
	if err != nil {
		return nil, err
	}
	outer, inner := 1, 1
	for _, d := range data.dims[:ax] {
		outer *= d
	}
	for _, d := range data.dims[ax+1:] {
		inner *= d
	}
	n := data.dims[ax]
	k := 0
	for o := range outer {
		for _, ix := range indices.i {
			if ix < 0 {
				ix += int64(n)
			}
			if ix < 0 || ix >= int64(n) {
				return nil, fmt.Errorf("index %d is out of range for axis of size %d", ix, n)
			}
			src := (o*n + int(ix)) * inner
			if data.isInt {
				copy(out.i[k:k+inner], data.i[src:src+inner])
			} else {
				copy(out.f[k:k+inner], data.f[src:src+inner])
			}
			k += inner
		}
	}
	return out, nil
}

func foldConcat(in []*tensor, axis int64) (*tensor, error) {
	if len(in) == 0 || in[0] == nil {
		return nil, fmt.Errorf("has no inputs")
	}
	r := len(in[0].dims)
	ax, err := normAxis(axis, max(r, 1))
	if err != nil {
		return nil, err
	}
	if r == 0 {
		return nil, fmt.Errorf("concatenates scalars")
	}
	dims := slices.Clone(in[0].dims)
	dims[ax] = 0
	isInt := true
	for _, t := range in {
		if t == nil || len(t.dims) != r {
			return nil, fmt.Errorf("inputs have different ranks")
		}
		for k := range r {
			if k != ax && t.dims[k] != dims[k] {
				return nil, fmt.Errorf("inputs of shapes %v and %v do not concatenate on axis %d", in[0].dims, t.dims, ax)
			}
		}
		dims[ax] += t.dims[ax]
		if dims[ax] > MaxFoldedElements {
			return nil, fmt.Errorf("result exceeds %d elements", MaxFoldedElements)
		}
		isInt = isInt && t.isInt
	}
	out, err := newTensor(dims, isInt)
	if err != nil {
		return nil, err
	}
	outer := 1
	for _, d := range dims[:ax] {
		outer *= d
	}
	k := 0
	for o := range outer {
		for _, t := range in {
			chunk := t.len() / max(outer, 1)
			if isInt {
				copy(out.i[k:], t.i[o*chunk:(o+1)*chunk])
			} else {
				f, err := t.floats()
				if err != nil {
					return nil, err
				}
				copy(out.f[k:], f[o*chunk:(o+1)*chunk])
			}
			k += chunk
		}
	}
	return out, nil
}

// foldSlice is Slice (opset 10 on: starts, ends, axes, steps as inputs).
func foldSlice(in []*tensor) (*tensor, error) {
	data := in[0]
	r := len(data.dims)
	starts, ends := in[1].ints(), in[2].ints()
	if len(starts) != len(ends) {
		return nil, fmt.Errorf("%d starts and %d ends", len(starts), len(ends))
	}
	axes := make([]int64, len(starts))
	for k := range axes {
		axes[k] = int64(k)
	}
	if len(in) > 3 && in[3] != nil {
		axes = in[3].ints()
	}
	steps := slices.Repeat([]int64{1}, len(starts))
	if len(in) > 4 && in[4] != nil {
		steps = in[4].ints()
	}
	if len(axes) != len(starts) || len(steps) != len(starts) {
		return nil, fmt.Errorf("starts, ends, axes and steps differ in length")
	}
	lo, step := make([]int, r), make([]int, r)
	dims := slices.Clone(data.dims)
	for k := range r {
		step[k] = 1
	}
	for k, a := range axes {
		ax, err := normAxis(a, r)
		if err != nil {
			return nil, err
		}
		n := int64(data.dims[ax])
		s, e, st := starts[k], ends[k], steps[k]
		if st == 0 || isSym(s) || isSym(e) || isSym(st) {
			return nil, fmt.Errorf("step, start or end is zero or unknown")
		}
		clampIdx := func(v int64, lo, hi int64) int64 {
			if v < 0 {
				v += n
			}
			return min(max(v, lo), hi)
		}
		if st > 0 {
			s, e = clampIdx(s, 0, n), clampIdx(e, 0, n)
			dims[ax] = int(max(0, (e-s+st-1)/st))
		} else {
			s, e = clampIdx(s, 0, n-1), clampIdx(e, -1, n-1)
			if ends[k] < -n {
				e = -1
			}
			dims[ax] = int(max(0, (s-e-st-1)/(-st)))
		}
		lo[ax], step[ax] = int(s), int(st)
	}
	out, err := newTensor(dims, data.isInt)
	if err != nil {
		return nil, err
	}
	idx := make([]int, r)
	for k := range out.len() {
		rem, src, stride := k, 0, 1
		for ax := r - 1; ax >= 0; ax-- {
			idx[ax] = rem % dims[ax]
			rem /= dims[ax]
			src += (lo[ax] + idx[ax]*step[ax]) * stride
			stride *= data.dims[ax]
		}
		if data.isInt {
			out.i[k] = data.i[src]
		} else {
			out.f[k] = data.f[src]
		}
	}
	return out, nil
}

// reshapeDims resolves a Reshape target for a constant of shape dims.
func reshapeDims(dims []int, target []int64, allowZero bool) ([]int, error) {
	n := 1
	for _, d := range dims {
		n *= d
	}
	out := make([]int, len(target))
	infer, known := -1, 1
	for k, d := range target {
		switch {
		case d == 0 && !allowZero:
			if k >= len(dims) {
				return nil, fmt.Errorf("target %v copies axis %d of a rank-%d input", target, k, len(dims))
			}
			out[k] = dims[k]
		case d == -1 && infer < 0:
			infer = k
			continue
		case d < 0:
			return nil, fmt.Errorf("target %v has dimension %d", target, d)
		case d > MaxFoldedElements:
			return nil, fmt.Errorf("target %v has a dimension over %d", target, MaxFoldedElements)
		default:
			out[k] = int(d)
		}
		known *= out[k]
		if known > MaxFoldedElements {
			return nil, fmt.Errorf("target %v exceeds %d elements", target, MaxFoldedElements)
		}
	}
	if infer >= 0 {
		if known == 0 || n%known != 0 {
			return nil, fmt.Errorf("cannot reshape %v to %v", dims, target)
		}
		out[infer] = n / known
		known = n
	}
	if known != n {
		return nil, fmt.Errorf("cannot reshape %v (%d elements) to %v", dims, n, target)
	}
	return out, nil
}

func foldConstantOfShape(a attrs, shape *tensor) (*tensor, error) {
	dims := make([]int, len(shape.ints()))
	for k, d := range shape.ints() {
		if d < 0 || d > MaxFoldedElements {
			return nil, fmt.Errorf("shape %v is not a known size within %d elements", shape.ints(), MaxFoldedElements)
		}
		dims[k] = int(d)
	}
	val := &tensor{dims: []int{1}, f: []float32{0}}
	if at, err := a.typed("value", 4); err != nil {
		return nil, err
	} else if at != nil {
		v, err := decodeTensor(at.GetT(), noExternal)
		if err != nil {
			return nil, err
		}
		if v.len() != 1 {
			return nil, fmt.Errorf("value holds %d elements, want 1", v.len())
		}
		val = v
	}
	out, err := newTensor(dims, val.isInt)
	if err != nil {
		return nil, err
	}
	for k := range out.len() {
		if val.isInt {
			out.i[k] = val.i[0]
		} else {
			out.f[k] = val.f[0]
		}
	}
	return out, nil
}

// foldTranspose permutes a constant's axes (no perm: reverses them).
func foldTranspose(t *tensor, perm []int64) (*tensor, error) {
	r := len(t.dims)
	if perm == nil {
		for k := r - 1; k >= 0; k-- {
			perm = append(perm, int64(k))
		}
	}
	if len(perm) != r {
		return nil, fmt.Errorf("perm %v for rank %d", perm, r)
	}
	seen := make([]bool, r)
	dims := make([]int, r)
	for k, p := range perm {
		if p < 0 || p >= int64(r) || seen[p] {
			return nil, fmt.Errorf("perm %v is not a permutation of %d axes", perm, r)
		}
		seen[p] = true
		dims[k] = t.dims[p]
	}
	out, err := newTensor(dims, t.isInt)
	if err != nil {
		return nil, err
	}
	strides := make([]int, r)
	stride := 1
	for k := r - 1; k >= 0; k-- {
		strides[k] = stride
		stride *= t.dims[k]
	}
	for k := range out.len() {
		rem, src := k, 0
		for ax := r - 1; ax >= 0; ax-- {
			src += (rem % dims[ax]) * strides[perm[ax]]
			rem /= dims[ax]
		}
		if t.isInt {
			out.i[k] = t.i[src]
		} else {
			out.f[k] = t.f[src]
		}
	}
	return out, nil
}
