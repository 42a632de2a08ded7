package onnx

import (
	"fmt"
	"slices"

	"github.com/simdnet/simdnet/onnx/internal/onnxpb"
	"github.com/simdnet/simdnet/ops"
)

// Slicing and regrouping of computed tensors: Split and Slice along one
// axis (ops.Slice), and the channel shuffle ShuffleNet exports as
// Reshape(N, g, C/g, H, W) → Transpose(0, 2, 1, 3, 4) → Reshape(N, C, H, W).
//
// The rank-5 tensors between those nodes are images whose channel axis is
// split in two: the file's N×A×B×H×W, stored as the ops shape (H, W, A, B),
// which is NHWC with channel a·B + b. A Transpose that swaps A and B is an
// ops Permute of the last two axes, and merging them back is free.

// opsAxis maps an axis of a value's file shape (batch 0) to the Keras axis
// of its ops node, or -1 where simdnet stores the value in another order.
func opsAxis(v *value, axis int) int {
	switch {
	case v.isImage() && len(v.n.Shape) == 1: // C×1×1, stored as (C,)
		if axis == 1 {
			return 1
		}
	case v.isImage():
		return [...]int{-1, 3, 1, 2}[axis] // N, C, H, W → NHWC
	case v.grouped:
		return [...]int{-1, 3, 4, 1, 2}[axis] // N, A, B, H, W → (H, W, A, B)
	case v.plain, len(v.shape) == 2 && !v.flatCHW():
		return axis // stored in the file's own order
	}
	return -1
}

// sliceAxis keeps [start, stop) of the file axis axis of x.
func (l *lowerer) sliceAxis(n *onnxpb.NodeProto, suffix string, x *value, axis, start, stop int) (*value, error) {
	if start == 0 && stop == x.shape[axis] {
		return x, nil
	}
	oa := opsAxis(x, axis)
	if axis == 0 || oa < 0 {
		return nil, unsupported("slicing axis %d of shape %v (only an axis other than the batch of a tensor stored in NHWC or the file's order)", axis, x.shape)
	}
	y := l.g.Apply(&ops.Slice{Name: l.layerName(n, suffix), Axis: oa, Start: start, Stop: stop}, x.n)
	if y == nil {
		return nil, l.g.Err()
	}
	shape := slices.Clone(x.shape)
	shape[axis] = stop - start
	return &value{n: y, shape: shape, nonneg: x.nonneg, plain: x.plain, grouped: x.grouped}, nil
}

// split is Split of a computed tensor: one Slice an output.
func (l *lowerer) split(n *onnxpb.NodeProto, a attrs, in []*value) ([]*value, error) {
	x := in[0]
	if x.c != nil {
		return nil, unsupported("Split of a constant")
	}
	ax, err := a.int("axis", 0)
	if err != nil {
		return nil, err
	}
	axis, err := normAxis(ax, len(x.shape))
	if err != nil {
		return nil, err
	}
	outs := len(n.GetOutput())
	var sizes []int64
	switch {
	case l.opset < 13:
		if sizes, err = a.ints("split"); err != nil {
			return nil, err
		}
	case len(in) > 1 && in[1] != nil:
		if in[1].c == nil {
			return nil, unsupported("computed split sizes")
		}
		sizes = in[1].c.ints()
	}
	dim := x.shape[axis]
	if sizes == nil {
		// Equal parts; from opset 18 num_outputs says how many, the last
		// part smaller when they do not divide evenly.
		parts := int64(outs)
		if l.opset >= 18 {
			if parts, err = a.int("num_outputs", int64(outs)); err != nil {
				return nil, err
			}
		}
		if parts < 1 || parts != int64(outs) {
			return nil, fmt.Errorf("num_outputs %d with %d outputs", parts, outs)
		}
		each := (int64(dim) + parts - 1) / parts
		for k := int64(0); k < parts; k++ {
			sizes = append(sizes, min(each, int64(dim)-k*each))
		}
	}
	if len(sizes) != outs {
		return nil, fmt.Errorf("%d split sizes for %d outputs", len(sizes), outs)
	}
	var total int64
	for _, s := range sizes {
		if s < 1 || s > int64(dim) {
			return nil, fmt.Errorf("split sizes %v do not divide axis %d of %d values", sizes, axis, dim)
		}
		total += s
	}
	if total != int64(dim) {
		return nil, fmt.Errorf("split sizes %v add to %d, axis %d has %d values", sizes, total, axis, dim)
	}
	vals := make([]*value, outs)
	start := 0
	for k, s := range sizes {
		v, err := l.sliceAxis(n, fmt.Sprintf("_%d", k), x, axis, start, start+int(s))
		if err != nil {
			return nil, err
		}
		vals[k] = v
		start += int(s)
	}
	return vals, nil
}

// slice is Slice of a computed tensor, with constant starts, ends, axes
// and steps of one.
func (l *lowerer) slice(n *onnxpb.NodeProto, in []*value) (*value, error) {
	x := in[0]
	if len(in) < 3 {
		return nil, fmt.Errorf("has %d inputs, want data, starts, ends", len(in))
	}
	constInts := func(k int, what string) ([]int64, error) {
		if k >= len(in) || in[k] == nil {
			return nil, nil
		}
		if in[k].c == nil {
			return nil, unsupported("computed %s", what)
		}
		return in[k].c.ints(), nil
	}
	starts, err := constInts(1, "starts")
	if err != nil {
		return nil, err
	}
	ends, err := constInts(2, "ends")
	if err != nil {
		return nil, err
	}
	axes, err := constInts(3, "axes")
	if err != nil {
		return nil, err
	}
	steps, err := constInts(4, "steps")
	if err != nil {
		return nil, err
	}
	if starts == nil || len(starts) != len(ends) {
		return nil, fmt.Errorf("%d starts and %d ends", len(starts), len(ends))
	}
	if axes == nil {
		for k := range starts {
			axes = append(axes, int64(k))
		}
	}
	if len(axes) != len(starts) || steps != nil && len(steps) != len(starts) {
		return nil, fmt.Errorf("%d axes and %d steps for %d starts", len(axes), len(steps), len(starts))
	}
	for k := range starts {
		if steps != nil && steps[k] != 1 {
			return nil, unsupported("step %d (only 1)", steps[k])
		}
		axis, err := normAxis(axes[k], len(x.shape))
		if err != nil {
			return nil, err
		}
		dim := int64(x.shape[axis])
		if axis == 0 {
			if starts[k] == 0 && ends[k] >= maxBatchEnd {
				continue // the whole batch
			}
			return nil, unsupported("slicing the batch axis")
		}
		clampIndex := func(i int64) int64 {
			if i < 0 {
				i += dim
			}
			return min(max(i, 0), dim)
		}
		start, stop := clampIndex(starts[k]), clampIndex(ends[k])
		if stop <= start {
			return nil, unsupported("an empty slice [%d, %d) of axis %d", starts[k], ends[k], axis)
		}
		if x, err = l.sliceAxis(n, fmt.Sprintf("_%d", k), x, axis, int(start), int(stop)); err != nil {
			return nil, err
		}
	}
	return x, nil
}

// maxBatchEnd: an end at least this large on the batch axis means "to the
// end" (exporters write INT64_MAX or the traced batch size).
const maxBatchEnd = 1 << 30

// groupChannels is Reshape of an image (N, C, H, W) to (N, A, B, H, W)
// with A·B = C: free in NHWC, as an ops Reshape to (H, W, A, B).
func (l *lowerer) groupChannels(n *onnxpb.NodeProto, x *value, a, b int) (*value, error) {
	h, w := x.shape[2], x.shape[3]
	y := l.g.Apply(&ops.Reshape{Name: l.layerName(n, ""), TargetShape: ops.Shape{h, w, a, b}}, x.n)
	if y == nil {
		return nil, l.g.Err()
	}
	return &value{n: y, shape: []int{-1, a, b, h, w}, grouped: true, nonneg: x.nonneg}, nil
}

// mergeChannels is the Reshape of a grouped image back to (N, A·B, H, W).
func (l *lowerer) mergeChannels(n *onnxpb.NodeProto, x *value) (*value, error) {
	a, b, h, w := x.shape[1], x.shape[2], x.shape[3], x.shape[4]
	y := l.g.Apply(&ops.Reshape{Name: l.layerName(n, ""), TargetShape: ops.Shape{h, w, a * b}}, x.n)
	if y == nil {
		return nil, l.g.Err()
	}
	return &value{n: y, shape: []int{-1, a * b, h, w}, nonneg: x.nonneg}, nil
}

// swapGroups is Transpose(0, 2, 1, 3, 4) of a grouped image: the channel
// shuffle itself, an ops Permute of the last two stored axes.
func (l *lowerer) swapGroups(x *value) (*value, error) {
	y := l.g.Permute(x.n, 1, 2, 4, 3)
	if y == nil {
		return nil, l.g.Err()
	}
	a, b, h, w := x.shape[1], x.shape[2], x.shape[3], x.shape[4]
	return &value{n: y, shape: []int{-1, b, a, h, w}, grouped: true, nonneg: x.nonneg}, nil
}
