package onnx

import (
	"fmt"
	"math"
	"slices"

	"github.com/simdnet/simdnet/onnx/internal/onnxpb"
	"github.com/simdnet/simdnet/ops"
)

// lowerOp adds the ops layers for one node whose inputs are not all
// constants.
func (l *lowerer) lowerOp(n *onnxpb.NodeProto, a attrs, in []*value) (*value, error) {
	if len(in) == 0 || in[0] == nil {
		return nil, fmt.Errorf("has no first input")
	}
	x := in[0]
	switch n.GetOpType() {
	case "Add", "Sub", "Mul", "Div", "MatMul":
	default:
		if x.c == nil {
			break
		}
		return nil, unsupported("a constant first input with a computed second one")
	}
	switch op := n.GetOpType(); op {
	case "Identity":
		return x, nil
	case "Dropout":
		if len(in) > 2 && in[2] != nil {
			if in[2].c == nil || in[2].c.len() != 1 || in[2].c.ints()[0] != 0 {
				return nil, unsupported("training_mode that is not a constant false")
			}
		}
		return x, nil
	case "Cast":
		to, err := a.int("to", 0)
		if err != nil {
			return nil, err
		}
		if to != int64(dtFloat) {
			return nil, unsupported("cast of a computed tensor to %s", typeName(int32(to)))
		}
		return x, nil
	case "Conv":
		return l.conv(n, a, in)
	case "BatchNormalization":
		return l.batchNorm(n, a, in)
	case "Relu":
		return l.activation(n, x, ops.ReLU), nil
	case "Sigmoid":
		return l.activation(n, x, ops.Sigmoid), nil
	case "Tanh":
		return l.activation(n, x, ops.Tanh), nil
	case "HardSwish":
		return l.activation(n, x, ops.HardSwish), nil
	case "HardSigmoid":
		alpha, err := a.float("alpha", 0.2)
		if err != nil {
			return nil, err
		}
		beta, err := a.float("beta", 0.5)
		if err != nil {
			return nil, err
		}
		switch {
		case beta == 0.5 && alpha == 0.2:
			return l.activation(n, x, ops.HardSigmoid), nil
		case beta == 0.5 && math.Abs(float64(alpha)-1.0/6) < 1e-7:
			return l.activation(n, x, ops.HardSigmoidTorch), nil
		}
		return nil, unsupported("alpha %v, beta %v (only ONNX's 0.2, 0.5 and PyTorch's 1/6, 0.5)", alpha, beta)
	case "LeakyRelu":
		alpha, err := a.float("alpha", 0.01)
		if err != nil {
			return nil, err
		}
		if !(alpha >= 0) {
			return nil, unsupported("alpha %v (only a slope ≥ 0)", alpha)
		}
		y := l.g.LeakyReLU(x.n, alpha)
		return &value{n: y, shape: x.shape, chw: x.chw, plain: x.plain}, nil
	case "Clip":
		return l.clip(n, a, in)
	case "Add", "Sub", "Mul", "Div":
		return l.arith(n, in)
	case "Concat":
		return l.concat(n, a, in)
	case "Transpose":
		return l.transpose(a, x)
	case "LayerNormalization":
		return l.layerNorm(n, a, in)
	case "ReduceMean", "ReduceMax":
		return l.reduce(n, a, in)
	case "MaxPool", "AveragePool":
		return l.pool(n, a, x)
	case "GlobalAveragePool", "GlobalMaxPool":
		return l.globalPool(n, x)
	case "Flatten":
		axis, err := a.int("axis", 1)
		if err != nil {
			return nil, err
		}
		if axis < 0 {
			axis += int64(len(x.shape))
		}
		if axis != 1 {
			return nil, unsupported("axis %d (only 1, which keeps the batch axis, is supported)", axis)
		}
		return l.flatten(n, x)
	case "Squeeze", "Unsqueeze":
		axes, err := a.ints("axes")
		if err != nil {
			return nil, err
		}
		if l.opset >= 13 && len(in) > 1 && in[1] != nil {
			if in[1].c == nil {
				return nil, unsupported("computed axes")
			}
			axes = in[1].c.ints()
		}
		return l.squeeze(n, op, x, axes)
	case "Reshape":
		return l.reshape(n, a, in)
	case "Slice":
		return l.slice(n, in)
	case "Pad":
		return l.pad(n, in)
	case "Gemm":
		return l.gemm(n, a, in)
	case "MatMul":
		return l.matMul(n, in)
	case "Softmax":
		return l.softmax(n, a, x)
	default:
		return nil, unsupported("%s of a computed tensor needs an ops layer simdnet does not have yet", op)
	}
}

// constInput returns input k as a float constant.
func constInput(in []*value, k int, what string) ([]float32, *tensor, error) {
	if k >= len(in) || in[k] == nil {
		return nil, nil, fmt.Errorf("has no %s input", what)
	}
	if in[k].c == nil {
		return nil, nil, unsupported("%s is computed, not a constant", what)
	}
	f, err := in[k].c.floats()
	return f, in[k].c, err
}

// image checks that v is a runtime NCHW image and returns C, H, W.
func image(v *value) (c, h, w int, err error) {
	if v.c != nil || !v.isImage() {
		return 0, 0, 0, unsupported("input of shape %v; want a computed N×C×H×W image", v.shape)
	}
	if len(v.n.Shape) != 3 {
		return 0, 0, 0, unsupported("a 1×1 image after global pooling as the input of a spatial operator")
	}
	return v.shape[1], v.shape[2], v.shape[3], nil
}

// pair reads a two-element attribute, def when absent.
func pair(a attrs, name string, def int) ([2]int, error) {
	v, err := a.ints(name)
	if err != nil {
		return [2]int{}, err
	}
	if v == nil {
		return [2]int{def, def}, nil
	}
	if len(v) != 2 || v[0] < 1 || v[1] < 1 || v[0] > MaxDim || v[1] > MaxDim {
		return [2]int{}, fmt.Errorf("%s %v, want two sizes from 1 to %d", name, v, MaxDim)
	}
	return [2]int{int(v[0]), int(v[1])}, nil
}

// pads are the explicit paddings of a window operator: top, left, bottom,
// right, as ONNX orders them.
type pads [4]int

// windowPads resolves pads and auto_pad for input h×w, window k, stride s.
func windowPads(a attrs, h, w int, k, s [2]int) (pads, error) {
	auto, err := a.str("auto_pad", "NOTSET")
	if err != nil {
		return pads{}, err
	}
	var p pads
	switch auto {
	case "VALID":
	case "SAME_UPPER", "SAME_LOWER":
		for ax, in := range [2]int{h, w} {
			out := (in + s[ax] - 1) / s[ax]
			total := max((out-1)*s[ax]+k[ax]-in, 0)
			small, big := total/2, total-total/2
			if auto == "SAME_LOWER" {
				small, big = big, small
			}
			p[ax], p[ax+2] = small, big
		}
	default:
		v, err := a.ints("pads")
		if err != nil {
			return pads{}, err
		}
		if v == nil {
			break
		}
		if len(v) != 4 {
			return pads{}, fmt.Errorf("pads %v, want 4 values", v)
		}
		for j, x := range v {
			if x < 0 || x > MaxDim {
				return pads{}, fmt.Errorf("pads %v, want values from 0 to %d", v, MaxDim)
			}
			p[j] = int(x)
		}
	}
	return p, nil
}

// sameAs reports whether p is the split Keras's Same padding makes for
// input h×w, window k, stride s.
func (p pads) sameAs(h, w int, k, s [2]int) bool {
	_, t, b := ops.Same.Window(h, k[0], s[0])
	_, lft, r := ops.Same.Window(w, k[1], s[1])
	return p == pads{t, lft, b, r}
}

// padded returns the node to run a Valid window operator on: x itself, or
// x with p applied by a ZeroPadding2D (which the planner folds into a
// following convolution).
func (l *lowerer) padded(n *onnxpb.NodeProto, x *value, p pads) *ops.Node {
	if p == (pads{}) {
		return x.n
	}
	return l.g.Apply(&ops.ZeroPadding2D{Name: l.layerName(n, "_pad"), Top: p[0], Left: p[1], Bottom: p[2], Right: p[3]}, x.n)
}

func (l *lowerer) conv(n *onnxpb.NodeProto, a attrs, in []*value) (*value, error) {
	x := in[0]
	c, h, w, err := image(x)
	if err != nil {
		return nil, err
	}
	wt, wtT, err := constInput(in, 1, "weight")
	if err != nil {
		return nil, err
	}
	if len(wtT.dims) != 4 {
		return nil, fmt.Errorf("weight of shape %v, want M×C×kH×kW", wtT.dims)
	}
	m, cg, kh, kw := wtT.dims[0], wtT.dims[1], wtT.dims[2], wtT.dims[3]
	if ks, err := a.ints("kernel_shape"); err != nil {
		return nil, err
	} else if ks != nil && !slices.Equal(ks, []int64{int64(kh), int64(kw)}) {
		return nil, fmt.Errorf("kernel_shape %v does not match the weight's %v", ks, wtT.dims)
	}
	group, err := a.int("group", 1)
	if err != nil {
		return nil, err
	}
	switch {
	case group < 1 || int64(c)%group != 0 || int64(m)%group != 0:
		return nil, fmt.Errorf("group %d does not divide %d input and %d output channels", group, c, m)
	case int64(cg)*group != int64(c):
		return nil, fmt.Errorf("weight of shape %v for %d input channels in %d groups", wtT.dims, c, group)
	}
	var bias []float32
	if len(in) > 2 && in[2] != nil {
		if bias, _, err = constInput(in, 2, "bias"); err != nil {
			return nil, err
		}
		if len(bias) != m {
			return nil, fmt.Errorf("bias of %d values for %d filters", len(bias), m)
		}
	}
	k := [2]int{kh, kw}
	s, err := pair(a, "strides", 1)
	if err != nil {
		return nil, err
	}
	d, err := pair(a, "dilations", 1)
	if err != nil {
		return nil, err
	}
	span := [2]int{(kh-1)*d[0] + 1, (kw-1)*d[1] + 1} // the dilated window
	p, err := windowPads(a, h, w, span, s)
	if err != nil {
		return nil, err
	}
	oh, ow := (h+p[0]+p[2]-span[0])/s[0]+1, (w+p[1]+p[3]-span[1])/s[1]+1
	if h+p[0]+p[2] < span[0] || w+p[1]+p[3] < span[1] {
		return nil, fmt.Errorf("a %d×%d window does not fit the padded %d×%d input", span[0], span[1], h+p[0]+p[2], w+p[1]+p[3])
	}
	pad := ops.Valid
	src := x.n
	if p.sameAs(h, w, span, s) && p != (pads{}) {
		pad = ops.Same
	} else {
		src = l.padded(n, x, p)
	}
	name := l.layerName(n, "")
	var layer ops.Layer
	if group > 1 && cg == 1 {
		// Depthwise: ONNX's output channel c·mult + j is Keras's too.
		mult := m / c
		dw, err := ops.NewDepthwiseConv2D(ops.DepthwiseConv2DConfig{Name: name, KernelSize: k, Strides: s, Padding: pad,
			DepthMultiplier: mult, DilationRate: d, NoBias: bias == nil}, c, nil)
		if err != nil {
			return nil, err
		}
		kv := dw.Kernel.Value
		for o := range m {
			for y := range kh {
				for xx := range kw {
					kv[(y*kw+xx)*m+o] = wt[(o*kh+y)*kw+xx]
				}
			}
		}
		if bias != nil {
			copy(dw.Bias.Value, bias)
		}
		layer = dw
	} else {
		cv, err := ops.NewConv2D(ops.Conv2DConfig{Name: name, Filters: m, KernelSize: k, Strides: s, Padding: pad,
			DilationRate: d, Groups: int(group), NoBias: bias == nil}, c, nil)
		if err != nil {
			return nil, err
		}
		// O×(C/g)×kH×kW → kH×kW×(C/g)×O; filter o stays in group o/(M/g).
		kv := cv.Kernel.Value
		for o := range m {
			for i := range cg {
				for y := range kh {
					for xx := range kw {
						kv[((y*kw+xx)*cg+i)*m+o] = wt[((o*cg+i)*kh+y)*kw+xx]
					}
				}
			}
		}
		if bias != nil {
			copy(cv.Bias.Value, bias)
		}
		layer = cv
	}
	y := l.g.Apply(layer, src)
	if y == nil {
		return nil, l.g.Err()
	}
	if y.Shape[0] != oh || y.Shape[1] != ow {
		return nil, fmt.Errorf("lowering made a %d×%d output, want %d×%d", y.Shape[0], y.Shape[1], oh, ow)
	}
	return &value{n: y, shape: []int{-1, m, oh, ow}}, nil
}

func (l *lowerer) batchNorm(n *onnxpb.NodeProto, a attrs, in []*value) (*value, error) {
	x := in[0]
	if x.c != nil || x.flatCHW() || (!x.isImage() && len(x.shape) != 2) {
		return nil, unsupported("input of shape %v; want N×C×H×W or N×C", x.shape)
	}
	c := x.shape[1]
	eps, err := a.float("epsilon", 1e-5)
	if err != nil {
		return nil, err
	}
	if !(eps >= 0) || math.IsInf(float64(eps), 0) {
		return nil, fmt.Errorf("epsilon %v", eps)
	}
	if eps == 0 {
		eps = math.SmallestNonzeroFloat32 // ops reads 0 as Keras's default
	}
	layer, err := ops.NewBatchNormalization(ops.BatchNormConfig{Name: l.layerName(n, ""), Epsilon: eps}, c)
	if err != nil {
		return nil, err
	}
	for k, p := range []*ops.Param{layer.Gamma, layer.Beta, layer.MovingMean, layer.MovingVariance} {
		v, _, err := constInput(in, k+1, p.Name)
		if err != nil {
			return nil, err
		}
		if len(v) != c {
			return nil, fmt.Errorf("%s has %d values for %d channels", p.Name, len(v), c)
		}
		copy(p.Value, v)
	}
	y := l.g.Apply(layer, x.n)
	return &value{n: y, shape: x.shape, plain: x.plain}, nil
}

// arith is Add, Sub, Mul or Div of two computed tensors that broadcast
// as the ops merge layers do (a residual, squeeze-and-excitation's scale),
// of a computed tensor and a scalar constant (a Rescaling), or the bias
// after a MatMul.
func (l *lowerer) arith(n *onnxpb.NodeProto, in []*value) (*value, error) {
	op := n.GetOpType()
	if len(in) != 2 || in[0] == nil || in[1] == nil {
		return nil, fmt.Errorf("has %d inputs, want 2", len(in))
	}
	x, y := in[0], in[1]
	xName := n.GetInput()[0]
	swapped := false
	if x.c != nil {
		x, y = y, x
		xName = n.GetInput()[1]
		swapped = true
	}
	if y.c == nil {
		if len(x.shape) != len(y.shape) || x.chw != y.chw || x.flatCHW() || x.plain != y.plain {
			return nil, unsupported("shapes %v and %v", x.shape, y.shape)
		}
		name := l.layerName(n, "")
		var layer ops.Layer
		switch op {
		case "Add":
			layer = &ops.Add{Name: name}
		case "Mul":
			layer = &ops.Multiply{Name: name}
		case "Sub":
			layer = &ops.Subtract{Name: name}
		default:
			return nil, unsupported("division of two computed tensors")
		}
		xn, yn := x.n, y.n
		if op == "Mul" && x.isImage() && y.isImage() {
			// Squeeze-and-excitation's scale: an image times a C×1×1 one
			// (stored as (1, 1, C), or as (C,) after a global pooling). As
			// the second input, shaped (1, 1, C), it is ops' channel scale,
			// which the planner folds into the product that reads it
			// instead of broadcasting. The product commutes, so the order
			// of the file's inputs does not matter.
			pixel := func(s ops.Shape) bool { return len(s) == 1 || len(s) == 3 && s[0] == 1 && s[1] == 1 }
			if pixel(xn.Shape) && !pixel(yn.Shape) {
				xn, yn = yn, xn // the scale second, as ops' channel scale has it
			}
			if len(yn.Shape) == 1 && len(xn.Shape) == 3 && yn.Shape[0] == xn.Shape[2] {
				if yn = l.g.Reshape(yn, 1, 1, yn.Shape[0]); yn == nil {
					return nil, l.g.Err()
				}
			}
		}
		s := l.g.Apply(layer, xn, yn)
		if s == nil {
			return nil, unsupported("shapes %v and %v: %v", x.shape, y.shape, l.g.Err())
		}
		shape := slices.Clone(x.shape)
		for k := range shape {
			shape[k] = max(x.shape[k], y.shape[k])
		}
		return &value{n: s, shape: shape, chw: x.chw, plain: x.plain, nonneg: op != "Sub" && x.nonneg && y.nonneg}, nil
	}
	if c := y.c; c.len() == 1 {
		v, err := c.floats()
		if err != nil {
			return nil, err
		}
		if len(c.dims) > len(x.shape) {
			return nil, unsupported("a constant of rank %d broadcast onto shape %v", len(c.dims), x.shape)
		}
		scale, offset := float32(1), float32(0)
		switch {
		case op == "Add":
			offset = v[0]
		case op == "Sub" && !swapped:
			offset = -v[0]
		case op == "Sub":
			scale, offset = -1, v[0]
		case op == "Mul":
			scale = v[0]
		case op == "Div" && !swapped:
			scale = 1 / v[0]
		default:
			return nil, unsupported("a constant divided by a computed tensor")
		}
		r := l.g.Apply(&ops.Rescaling{Name: l.layerName(n, ""), Scale: scale, Offset: offset}, x.n)
		if r == nil {
			return nil, l.g.Err()
		}
		return &value{n: r, shape: x.shape, chw: x.chw, plain: x.plain, nonneg: x.nonneg && scale >= 0 && offset >= 0}, nil
	}
	if v, err := l.channelAffine(n, op, swapped, x, y.c); v != nil || err != nil {
		return v, err
	}
	// A MatMul's bias: fold it into the Dense.
	if d := x.dense; op == "Add" && d != nil && l.uses[xName] == 1 && y.c.len() == d.Units && (len(y.c.dims) < 2 || y.c.len() == y.c.dims[len(y.c.dims)-1]) {
		b, err := y.c.floats()
		if err != nil {
			return nil, err
		}
		d.NoBias = false
		d.Bias = &ops.Param{Name: "bias", Shape: ops.Shape{d.Units}, Value: slices.Clone(b), Trainable: true}
		return &value{n: x.n, shape: x.shape}, nil
	}
	return nil, unsupported("a constant of shape %v and a computed tensor (only scalars and a MatMul's bias are supported)", y.c.dims)
}

func (l *lowerer) activation(n *onnxpb.NodeProto, x *value, f ops.ActFunc) *value {
	y := l.g.Apply(&ops.Activation{Name: l.layerName(n, ""), Func: f}, x.n)
	nonneg := f == ops.ReLU || f == ops.Sigmoid || f == ops.HardSigmoid || f == ops.HardSigmoidTorch || f == ops.ReLU6
	return &value{n: y, shape: x.shape, chw: x.chw, plain: x.plain, nonneg: nonneg}
}

// clip is Clip with a lower bound of 0: ReLU, ReLU6 or a capped ReLU.
func (l *lowerer) clip(n *onnxpb.NodeProto, a attrs, in []*value) (*value, error) {
	x := in[0]
	lo, hi := float32(math.Inf(-1)), float32(math.Inf(1))
	if l.opset < 11 {
		var err error
		if lo, err = a.float("min", lo); err != nil {
			return nil, err
		}
		if hi, err = a.float("max", hi); err != nil {
			return nil, err
		}
	}
	for k, bound := range []*float32{&lo, &hi} {
		if k+1 < len(in) && in[k+1] != nil {
			v, _, err := constInput(in, k+1, []string{"min", "max"}[k])
			if err != nil {
				return nil, err
			}
			if len(v) != 1 {
				return nil, fmt.Errorf("bound of %d values, want 1", len(v))
			}
			*bound = v[0]
		}
	}
	switch {
	case lo != 0 || !(hi > 0):
		return nil, unsupported("bounds [%v, %v] (only a lower bound of 0 is supported)", lo, hi)
	case math.IsInf(float64(hi), 1):
		return l.activation(n, x, ops.ReLU), nil
	case hi == 6:
		return l.activation(n, x, ops.ReLU6), nil
	}
	y := l.g.ReLU(x.n, ops.ReLUConfig{Name: l.layerName(n, ""), MaxValue: hi, HasMaxValue: true})
	if y == nil {
		return nil, l.g.Err()
	}
	return &value{n: y, shape: x.shape, chw: x.chw, plain: x.plain, nonneg: true}, nil
}

// concat joins computed images on the channel axis, or matrices on their
// last.
func (l *lowerer) concat(n *onnxpb.NodeProto, a attrs, in []*value) (*value, error) {
	axis, err := a.int("axis", 0)
	if err != nil {
		return nil, err
	}
	r := len(in[0].shape)
	if axis < 0 {
		axis += int64(r)
	}
	if axis != 1 || (r != 4 && r != 2) {
		return nil, unsupported("axis %d of shape %v (only the channels of images or the columns of matrices)", axis, in[0].shape)
	}
	if len(in) == 1 { // DenseNet's first layer concatenates one tensor
		return in[0], nil
	}
	nodes := make([]*ops.Node, len(in))
	shape := slices.Clone(in[0].shape)
	shape[1] = 0
	nonneg := true
	for k, v := range in {
		if v == nil || v.c != nil || len(v.shape) != r || v.flatCHW() || v.plain {
			return nil, unsupported("input %d is a constant or has another rank or layout", k)
		}
		nodes[k] = v.n
		shape[1] += v.shape[1]
		nonneg = nonneg && v.nonneg
	}
	y := l.g.Apply(&ops.Concatenate{Name: l.layerName(n, ""), Axis: -1}, nodes...)
	if y == nil {
		return nil, l.g.Err()
	}
	return &value{n: y, shape: shape, nonneg: nonneg}, nil
}

// reduce is ReduceMean or ReduceMax over the image axes: a global pooling.
func (l *lowerer) reduce(n *onnxpb.NodeProto, a attrs, in []*value) (*value, error) {
	x := in[0]
	axes, err := a.ints("axes")
	if err != nil {
		return nil, err
	}
	if l.opset >= 18 && len(in) > 1 && in[1] != nil {
		if in[1].c == nil {
			return nil, unsupported("computed axes")
		}
		axes = in[1].c.ints()
	}
	keep, err := a.int("keepdims", 1)
	if err != nil {
		return nil, err
	}
	if !x.isImage() || !(slices.Equal(axes, []int64{2, 3}) || slices.Equal(axes, []int64{-2, -1})) {
		return nil, unsupported("axes %v of shape %v (only the image axes of N×C×H×W)", axes, x.shape)
	}
	v, err := l.globalPool(n, x)
	if err != nil || keep != 0 {
		return v, err
	}
	return l.flatten(n, v)
}

func (l *lowerer) pool(n *onnxpb.NodeProto, a attrs, x *value) (*value, error) {
	isMax := n.GetOpType() == "MaxPool"
	_, h, w, err := image(x)
	if err != nil {
		return nil, err
	}
	k, err := pair(a, "kernel_shape", 1)
	if err != nil {
		return nil, err
	}
	s, err := pair(a, "strides", 1)
	if err != nil {
		return nil, err
	}
	p, err := windowPads(a, h, w, k, s)
	if err != nil {
		return nil, err
	}
	ceil, err := a.int("ceil_mode", 0)
	if err != nil {
		return nil, err
	}
	countPad, err := a.int("count_include_pad", 0)
	if err != nil {
		return nil, err
	}
	// Output size as PyTorch computes it: with ceil_mode the last window
	// may overhang, but must start inside the input or its leading pad.
	var out [2]int
	for ax, in := range [2]int{h, w} {
		if p[ax] >= k[ax] || p[ax+2] >= k[ax] {
			return nil, fmt.Errorf("pads %v are not smaller than the %v window", p, k)
		}
		span := in + p[ax] + p[ax+2] - k[ax]
		if span < 0 {
			return nil, fmt.Errorf("a %v window does not fit the padded %d×%d input", k, h+p[0]+p[2], w+p[1]+p[3])
		}
		o := span/s[ax] + 1
		if ceil != 0 {
			o = (span+s[ax]-1)/s[ax] + 1
			if (o-1)*s[ax] >= in+p[ax] {
				o--
			}
		}
		out[ax] = o
	}
	cfg := ops.Pool2DConfig{Name: l.layerName(n, ""), PoolSize: k, Strides: s, Padding: ops.Valid,
		Pads: [4]int{p[0], p[2], p[1], p[3]}, CeilMode: ceil != 0, CountIncludePad: countPad != 0}
	src := x.n
	var layer ops.Layer
	if isMax {
		layer, err = ops.NewMaxPooling2D(cfg)
	} else {
		layer, err = ops.NewAveragePooling2D(cfg)
	}
	if err != nil {
		return nil, err
	}
	y := l.g.Apply(layer, src)
	if y == nil {
		return nil, l.g.Err()
	}
	if y.Shape[0] != out[0] || y.Shape[1] != out[1] {
		return nil, fmt.Errorf("lowering made a %d×%d output, want %d×%d", y.Shape[0], y.Shape[1], out[0], out[1])
	}
	return &value{n: y, shape: []int{-1, x.shape[1], out[0], out[1]}, nonneg: x.nonneg}, nil
}

func (l *lowerer) globalPool(n *onnxpb.NodeProto, x *value) (*value, error) {
	if x.c != nil || !x.isImage() {
		return nil, unsupported("input of shape %v; want an N×C×H×W image", x.shape)
	}
	var layer ops.Layer = &ops.GlobalAveragePooling2D{Name: l.layerName(n, ""), Keepdims: true}
	if n.GetOpType() == "GlobalMaxPool" || n.GetOpType() == "ReduceMax" {
		layer = &ops.GlobalMaxPooling2D{Name: l.layerName(n, ""), Keepdims: true}
	}
	y := l.g.Apply(layer, x.n)
	return &value{n: y, shape: []int{-1, x.shape[1], 1, 1}, nonneg: x.nonneg}, nil
}

// flatten is Flatten at axis 1. A C×H×W image flattens to H×W×C order, and
// the value records it for the Gemm after it.
func (l *lowerer) flatten(n *onnxpb.NodeProto, x *value) (*value, error) {
	switch {
	case len(x.shape) == 2:
		return x, nil
	case len(x.n.Shape) == 1:
		return &value{n: x.n, shape: []int{-1, x.n.Shape[0]}, nonneg: x.nonneg}, nil
	}
	y := l.g.Apply(&ops.Flatten{Name: l.layerName(n, "")}, x.n)
	v := &value{n: y, shape: []int{-1, y.Shape[0]}, nonneg: x.nonneg}
	if x.isImage() && x.shape[1] > 1 && x.shape[2]*x.shape[3] > 1 {
		v.chw = [3]int{x.shape[1], x.shape[2], x.shape[3]}
	}
	return v, nil
}

// reshape handles the Reshapes that flatten each sample (what older
// exporters write for torch.flatten) or change nothing.
func (l *lowerer) reshape(n *onnxpb.NodeProto, a attrs, in []*value) (*value, error) {
	x := in[0]
	if len(in) < 2 || in[1] == nil {
		return nil, fmt.Errorf("has no shape input")
	}
	if in[1].c == nil {
		return nil, unsupported("target shape computed from data, not from shapes")
	}
	allowZero, err := a.int("allowzero", 0)
	if err != nil {
		return nil, err
	}
	target := in[1].c.ints()
	per := sampleLen(x.shape)
	if len(target) == 0 {
		return nil, fmt.Errorf("empty target shape")
	}
	// The first axis must stay the batch.
	switch d := target[0]; {
	case d == symBatch, d == 0 && allowZero == 0, l.fileBatch > 0 && d == int64(l.fileBatch):
	case d == -1:
	default:
		return nil, unsupported("target %v does not keep the batch axis", symString(target))
	}
	dims := make([]int, len(target)-1)
	infer, known := -1, 1
	for k, d := range target[1:] {
		switch {
		case d == 0 && allowZero == 0 && k+1 < len(x.shape):
			dims[k] = x.shape[k+1]
		case d == -1 && infer < 0 && target[0] != -1:
			infer = k
			continue
		case isSym(d):
			return nil, unsupported("target %v uses the batch size beyond the first axis", symString(target))
		case d < 1 || d > MaxSampleElements:
			return nil, fmt.Errorf("target %v has a dimension outside 1 to %d", symString(target), MaxSampleElements)
		default:
			dims[k] = int(d)
		}
		if known *= dims[k]; known > MaxSampleElements {
			return nil, fmt.Errorf("target %v is too large", symString(target))
		}
	}
	if infer >= 0 {
		if per%known != 0 {
			return nil, fmt.Errorf("cannot reshape %v to %v", x.shape, symString(target))
		}
		dims[infer] = per / known
		known = per
	}
	if known != per {
		return nil, fmt.Errorf("cannot reshape %v to %v", x.shape, symString(target))
	}
	return l.reshapeTo(n, x, dims)
}

// reshapeTo gives x the per-sample shape dims, in the file's row-major
// order: free when nothing changes, a Flatten for one axis, an ops Reshape
// for tensors stored in the file's order.
func (l *lowerer) reshapeTo(n *onnxpb.NodeProto, x *value, dims []int) (*value, error) {
	switch {
	case slices.Equal(dims, x.shape[1:]):
		return x, nil
	case x.isImage() && len(x.n.Shape) == 3 && len(dims) == 4 && dims[0]*dims[1] == x.shape[1] && dims[2] == x.shape[2] && dims[3] == x.shape[3]:
		return l.groupChannels(n, x, dims[0], dims[1])
	case x.grouped && len(dims) == 3 && dims[0] == x.shape[1]*x.shape[2] && dims[1] == x.shape[3] && dims[2] == x.shape[4]:
		return l.mergeChannels(n, x)
	case len(dims) == 1:
		return l.flatten(n, x)
	case x.isImage() && x.shape[2] == 1 && x.shape[3] == 1 && len(dims) > 0 && dims[0] == x.shape[1] && sampleLen(append([]int{-1}, dims...)) == x.shape[1]:
		// C×1×1 is stored as C, like the file: treat it as plain.
	case x.isImage() || x.flatCHW():
		return nil, unsupported("reshaping the image %v to %v needs ops' Reshape and Permute on the file's layout", x.shape, dims)
	}
	y := l.g.Apply(&ops.Reshape{Name: l.layerName(n, ""), TargetShape: ops.Shape(dims).Clone()}, x.n)
	if y == nil {
		return nil, l.g.Err()
	}
	return &value{n: y, shape: append([]int{-1}, dims...), plain: len(dims) == 3, nonneg: x.nonneg}, nil
}

func symString(v []int64) string {
	s := "["
	for k, d := range v {
		if k > 0 {
			s += " "
		}
		switch d {
		case symBatch:
			s += "batch"
		case symUnknown:
			s += "?"
		default:
			s += fmt.Sprint(d)
		}
	}
	return s + "]"
}

// rowOrder maps the rows of a weight that multiplies a flattened C×H×W
// sample in H×W×C order: row r of simdnet's kernel is row rowOrder(r) of
// the file's.
func rowOrder(v *value) func(int) int {
	if !v.flatCHW() {
		return func(r int) int { return r }
	}
	c, h, w := v.chw[0], v.chw[1], v.chw[2]
	return func(r int) int {
		ch, pix := r%c, r/c
		return ch*h*w + pix
	}
}

// dense adds a Dense of k inputs and units outputs whose kernel element
// (row, unit) is weight(row, unit) of the file, rows in the file's order.
func (l *lowerer) dense(n *onnxpb.NodeProto, x *value, k, units int, weight func(r, u int) float32, bias []float32) (*ops.Dense, *ops.Node, error) {
	if x.c != nil || len(x.shape) < 2 || x.isImage() || len(x.n.Shape) != len(x.shape)-1 {
		return nil, nil, unsupported("input of shape %v; want a computed N×K matrix", x.shape)
	}
	if x.shape[len(x.shape)-1] != k {
		return nil, nil, fmt.Errorf("input of shape %v does not have the weight's %d rows", x.shape, k)
	}
	layer, err := ops.NewDense(ops.DenseConfig{Name: l.layerName(n, ""), Units: units, NoBias: bias == nil}, k, nil)
	if err != nil {
		return nil, nil, err
	}
	order := rowOrder(x)
	kv := layer.Kernel.Value
	for r := range k {
		src := order(r)
		for u := range units {
			kv[r*units+u] = weight(src, u)
		}
	}
	if bias != nil {
		copy(layer.Bias.Value, bias)
	}
	return layer, l.g.Apply(layer, x.n), nil
}

func (l *lowerer) gemm(n *onnxpb.NodeProto, a attrs, in []*value) (*value, error) {
	x := in[0]
	if len(x.shape) != 2 {
		return nil, unsupported("input of shape %v; want N×K", x.shape)
	}
	b, bt, err := constInput(in, 1, "B")
	if err != nil {
		return nil, err
	}
	if len(bt.dims) != 2 {
		return nil, fmt.Errorf("B of shape %v, want a matrix", bt.dims)
	}
	transB, err := a.int("transB", 0)
	if err != nil {
		return nil, err
	}
	alpha, err := a.float("alpha", 1)
	if err != nil {
		return nil, err
	}
	beta, err := a.float("beta", 1)
	if err != nil {
		return nil, err
	}
	k, units := bt.dims[0], bt.dims[1]
	weight := func(r, u int) float32 { return alpha * b[r*units+u] }
	if transB != 0 {
		k, units = units, k
		weight = func(r, u int) float32 { return alpha * b[u*k+r] }
	}
	var bias []float32
	if len(in) > 2 && in[2] != nil {
		c, ct, err := constInput(in, 2, "C")
		if err != nil {
			return nil, err
		}
		if len(ct.dims) > 2 || (len(c) != units && len(c) != 1) || (len(ct.dims) == 2 && ct.dims[0] != 1) {
			return nil, unsupported("C of shape %v (only a bias row broadcast over the batch is supported)", ct.dims)
		}
		bias = make([]float32, units)
		for u := range bias {
			bias[u] = beta * c[u%len(c)]
		}
	}
	_, y, err := l.dense(n, x, k, units, weight, bias)
	if err != nil {
		return nil, err
	}
	return &value{n: y, shape: []int{-1, units}}, nil
}

func (l *lowerer) matMul(n *onnxpb.NodeProto, in []*value) (*value, error) {
	if len(in) != 2 || in[0] == nil || in[1] == nil {
		return nil, fmt.Errorf("has %d inputs, want 2", len(in))
	}
	x := in[0]
	if x.c != nil {
		return nil, unsupported("a constant left operand")
	}
	b, bt, err := constInput(in, 1, "B")
	if err != nil {
		return nil, err
	}
	if len(bt.dims) != 2 {
		return nil, unsupported("B of shape %v (only a constant matrix is supported)", bt.dims)
	}
	k, units := bt.dims[0], bt.dims[1]
	d, y, err := l.dense(n, x, k, units, func(r, u int) float32 { return b[r*units+u] }, nil)
	if err != nil {
		return nil, err
	}
	shape := slices.Clone(x.shape)
	shape[len(shape)-1] = units
	return &value{n: y, shape: shape, dense: d, plain: x.plain}, nil
}

func (l *lowerer) softmax(n *onnxpb.NodeProto, a attrs, x *value) (*value, error) {
	def := int64(-1)
	if l.opset < 13 {
		def = 1
	}
	axis, err := a.int("axis", def)
	if err != nil {
		return nil, err
	}
	r := len(x.shape)
	if axis < 0 {
		axis += int64(r)
	}
	if axis != int64(r-1) || x.isImage() || x.flatCHW() {
		return nil, unsupported("axis %d of shape %v (only the last axis of a matrix is supported)", axis, x.shape)
	}
	y := l.g.Apply(&ops.Activation{Name: l.layerName(n, ""), Func: ops.Softmax}, x.n)
	return &value{n: y, shape: x.shape, nonneg: true}, nil
}

// pad is Pad with zeros around the image (opset 11 on: pads and the value
// are inputs).
func (l *lowerer) pad(n *onnxpb.NodeProto, in []*value) (*value, error) {
	x := in[0]
	c, h, w, err := image(x)
	if err != nil {
		return nil, err
	}
	if len(in) < 2 || in[1] == nil || in[1].c == nil {
		return nil, unsupported("pads that are not a constant")
	}
	if len(in) > 2 && in[2] != nil {
		v, _, err := constInput(in, 2, "constant_value")
		if err != nil {
			return nil, err
		}
		if len(v) != 1 || v[0] != 0 {
			return nil, unsupported("a constant value other than 0")
		}
	}
	if len(in) > 3 && in[3] != nil {
		return nil, unsupported("the axes input")
	}
	pv := in[1].c.ints()
	if len(pv) != 8 {
		return nil, fmt.Errorf("pads %v, want 8 values for a rank-4 input", pv)
	}
	if pv[0] != 0 || pv[1] != 0 || pv[4] != 0 || pv[5] != 0 {
		return nil, unsupported("padding the batch or channel axis (pads %v)", pv)
	}
	for _, v := range []int64{pv[2], pv[3], pv[6], pv[7]} {
		if v < 0 || v > MaxDim {
			return nil, unsupported("pads %v (only 0 to %d on the image axes)", pv, MaxDim)
		}
	}
	p := pads{int(pv[2]), int(pv[3]), int(pv[6]), int(pv[7])}
	y := l.padded(n, x, p)
	return &value{n: y, shape: []int{-1, c, h + p[0] + p[2], w + p[1] + p[3]}, nonneg: x.nonneg}, nil
}

// channelAffine lowers x·c, x/c, x+c and x−c for a constant c that holds
// one value per channel (shape C×1×1 or 1×C×1×1 on an image, F on a
// matrix) as a BatchNormalization with zero mean and unit variance, which
// the planner folds into the convolution before it. It returns nil, nil
// when c has another shape.
func (l *lowerer) channelAffine(n *onnxpb.NodeProto, op string, swapped bool, x *value, c *tensor) (*value, error) {
	ch := x.shape[len(x.shape)-1]
	if x.isImage() {
		ch = x.shape[1]
	}
	dims := slices.Clone(c.dims)
	for len(dims) > 0 && dims[0] == 1 && len(dims) > 1 {
		dims = dims[1:]
	}
	var perChannel bool
	switch {
	case c.len() != ch || x.flatCHW() || len(c.dims) > len(x.shape):
	case x.isImage():
		perChannel = slices.Equal(dims, []int{ch, 1, 1})
	case len(x.shape) == 2 || x.plain:
		perChannel = slices.Equal(dims, []int{ch})
	}
	if !perChannel || (op == "Div" && swapped) {
		return nil, nil
	}
	v, err := c.floats()
	if err != nil {
		return nil, err
	}
	const eps = 1e-5
	bn, err := ops.NewBatchNormalization(ops.BatchNormConfig{Name: l.layerName(n, ""), Epsilon: eps}, ch)
	if err != nil {
		return nil, err
	}
	bn.MovingVariance.Fill(1 - eps) // so that sqrt(variance + epsilon) is 1
	for k, cv := range v {
		switch {
		case op == "Mul":
			bn.Gamma.Value[k] = cv
		case op == "Div":
			bn.Gamma.Value[k] = 1 / cv
		case op == "Add":
			bn.Beta.Value[k] = cv
		case op == "Sub" && !swapped:
			bn.Beta.Value[k] = -cv
		default: // c − x
			bn.Gamma.Value[k], bn.Beta.Value[k] = -1, cv
		}
	}
	y := l.g.Apply(bn, x.n)
	if y == nil {
		return nil, l.g.Err()
	}
	return &value{n: y, shape: x.shape, plain: x.plain}, nil
}

// transpose handles the two transposes between an image and its NHWC
// form, which cost nothing: simdnet stores images NHWC already.
func (l *lowerer) transpose(a attrs, x *value) (*value, error) {
	perm, err := a.ints("perm")
	if err != nil {
		return nil, err
	}
	switch {
	case x.isImage() && slices.Equal(perm, []int64{0, 2, 3, 1}):
		return &value{n: x.n, shape: []int{-1, x.shape[2], x.shape[3], x.shape[1]}, plain: true, nonneg: x.nonneg}, nil
	case x.plain && slices.Equal(perm, []int64{0, 3, 1, 2}):
		return &value{n: x.n, shape: []int{-1, x.shape[3], x.shape[1], x.shape[2]}, nonneg: x.nonneg}, nil
	case len(x.shape) == 2 && slices.Equal(perm, []int64{0, 1}):
		return x, nil
	case x.grouped && slices.Equal(perm, []int64{0, 2, 1, 3, 4}):
		return l.swapGroups(x)
	}
	return nil, unsupported("perm %v of shape %v (only NCHW↔NHWC of an image) needs ops' Permute on the file's layout", perm, x.shape)
}

// layerNorm is LayerNormalization over the last axis.
func (l *lowerer) layerNorm(n *onnxpb.NodeProto, a attrs, in []*value) (*value, error) {
	x := in[0]
	axis, err := a.int("axis", -1)
	if err != nil {
		return nil, err
	}
	r := len(x.shape)
	if axis < 0 {
		axis += int64(r)
	}
	if axis != int64(r-1) || x.isImage() || x.flatCHW() || x.c != nil {
		return nil, unsupported("axis %d of shape %v (only the last axis of a tensor in the file's order)", axis, x.shape)
	}
	eps, err := a.float("epsilon", 1e-5)
	if err != nil {
		return nil, err
	}
	if !(eps > 0) || math.IsInf(float64(eps), 0) {
		return nil, fmt.Errorf("epsilon %v", eps)
	}
	c := x.shape[r-1]
	scale, _, err := constInput(in, 1, "scale")
	if err != nil {
		return nil, err
	}
	var bias []float32
	if len(in) > 2 && in[2] != nil {
		if bias, _, err = constInput(in, 2, "B"); err != nil {
			return nil, err
		}
	}
	if len(scale) != c || (bias != nil && len(bias) != c) {
		return nil, fmt.Errorf("scale or bias does not hold %d values", c)
	}
	ln, err := ops.NewLayerNormalization(ops.LayerNormConfig{Name: l.layerName(n, ""), Epsilon: eps, NoCenter: bias == nil}, c)
	if err != nil {
		return nil, err
	}
	for _, p := range ln.Params() {
		switch p.Name {
		case "gamma":
			copy(p.Value, scale)
		case "beta":
			copy(p.Value, bias)
		}
	}
	y := l.g.Apply(ln, x.n)
	if y == nil {
		return nil, l.g.Err()
	}
	return &value{n: y, shape: x.shape, plain: x.plain}, nil
}

// geluStep follows the erf form of GELU as exporters write it,
//
//	Div(x, √2) → Erf → Add(·, 1) → Mul(x, ·) → Mul(·, 0.5)
//
// and lowers the whole chain to one GELU activation at its last node. It
// returns nil, nil for a node that is not part of such a chain.
// siluStep recognizes SiLU written out as x·Sigmoid(x): the Sigmoid, when
// its only reader is that Mul, gets no node of its own, and the Mul is a
// Swish activation of x. It returns nil for any other node.
func (l *lowerer) siluStep(n *onnxpb.NodeProto, in []*value) *value {
	switch n.GetOpType() {
	case "Sigmoid":
		if len(in) != 1 || in[0] == nil || in[0].c != nil || in[0].gelu > 0 {
			return nil
		}
		r := l.readers[n.GetOutput()[0]]
		if len(r) != 1 || r[0].GetOpType() != "Mul" || len(r[0].GetInput()) != 2 {
			return nil
		}
		a, b := r[0].GetInput()[0], r[0].GetInput()[1]
		out := n.GetOutput()[0]
		if x := n.GetInput()[0]; a == x && b == out || a == out && b == x {
			return &value{siluBase: in[0], shape: in[0].shape}
		}
	case "Mul":
		if len(in) == 2 && in[0] != nil && in[1] != nil {
			for k, v := range in {
				if v.siluBase != nil && in[1-k] == v.siluBase {
					return l.activation(n, v.siluBase, ops.Swish)
				}
			}
		}
	}
	return nil
}

func (l *lowerer) geluStep(n *onnxpb.NodeProto, in []*value) (*value, error) {
	op := n.GetOpType()
	var lazy, other *value
	for _, v := range in {
		switch {
		case v == nil:
		case v.gelu > 0 && lazy == nil:
			lazy = v
		default:
			other = v
		}
	}
	scalar := func(v *value, want float64) bool {
		if v == nil || v.c == nil || v.c.len() != 1 {
			return false
		}
		f, err := v.c.floats()
		return err == nil && math.Abs(float64(f[0])-want) < 1e-6*math.Abs(want)
	}
	soleReader := func(wantOp string) bool {
		r := l.readers[n.GetOutput()[0]]
		return len(r) == 1 && r[0].GetOpType() == wantOp
	}
	if lazy == nil {
		// The chain starts at x/√2 (or x·(1/√2)) read only by an Erf.
		if len(in) != 2 || in[0] == nil || in[0].c != nil || !soleReader("Erf") {
			return nil, nil
		}
		if op == "Div" && scalar(in[1], math.Sqrt2) || op == "Mul" && scalar(in[1], 1/math.Sqrt2) {
			return &value{gelu: 1, geluBase: in[0], shape: in[0].shape}, nil
		}
		return nil, nil
	}
	base := lazy.geluBase
	next := func(stage int, reader string) (*value, error) {
		if reader != "" && !soleReader(reader) {
			return nil, unsupported("GELU's erf form with an intermediate read elsewhere")
		}
		return &value{gelu: stage, geluBase: base, shape: base.shape}, nil
	}
	switch {
	case lazy.gelu == 1 && op == "Erf":
		return next(2, "Add")
	case lazy.gelu == 2 && op == "Add" && scalar(other, 1):
		return next(3, "Mul")
	case lazy.gelu == 3 && op == "Mul" && other == base:
		return next(4, "Mul")
	case lazy.gelu == 4 && op == "Mul" && scalar(other, 0.5):
		return l.activation(n, base, ops.GELU), nil
	}
	return nil, unsupported("Erf outside the erf form of GELU, 0.5·x·(1 + erf(x/√2))")
}

// squeeze is Squeeze or Unsqueeze of a computed tensor: a reshape that
// must leave the batch axis first.
func (l *lowerer) squeeze(n *onnxpb.NodeProto, op string, x *value, axes []int64) (*value, error) {
	if op == "Squeeze" && len(axes) == 0 {
		return nil, unsupported("Squeeze without axes (it could drop a batch of 1)")
	}
	dims, err := squeezeDims(op, x.shape, axes)
	if err != nil {
		return nil, err
	}
	if len(dims) == 0 || dims[0] != -1 || slices.Contains(dims[1:], -1) {
		return nil, unsupported("axes %v of shape %v move the batch axis", axes, x.shape)
	}
	return l.reshapeTo(n, x, dims[1:])
}
