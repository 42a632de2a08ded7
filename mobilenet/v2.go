package mobilenet

import (
	"fmt"
	"math"

	"github.com/simdnet/simdnet/ops"
)

// V2Config is what keras.applications.MobileNetV2 takes besides the input
// shape and classes (weights and input_tensor have no place here).
type V2Config struct {
	// Alpha is the width multiplier; zero means 1. Keras publishes 0.35,
	// 0.5, 0.75, 1, 1.3 and 1.4; any positive width builds.
	Alpha float64
	// NoTop is include_top=False: the graph ends at out_relu, or at the
	// Pooling layer, and has no classifier.
	NoTop bool
	// Pooling, with NoTop, is Keras's pooling: "" (none), "avg" or "max".
	Pooling string
}

// MinInputSize is the smallest height and width Keras accepts.
const MinInputSize = 32

// v2Blocks is the network's body, table 2 of the paper: expansion t,
// output channels c (before alpha), repeats n, stride s of the first.
var v2Blocks = []struct{ t, c, n, s int }{
	{1, 16, 1, 1},
	{6, 24, 2, 2},
	{6, 32, 3, 2},
	{6, 64, 4, 2},
	{6, 96, 3, 1},
	{6, 160, 3, 2},
	{6, 320, 1, 1},
}

// BatchNormalization settings of every MobileNetV2 batch norm.
const (
	bnEpsilon  = 1e-3
	bnMomentum = 0.999
)

// V2 builds MobileNetV2 for per-sample inputs of inputShape (height, width,
// channels) and classes output classes (ignored with NoTop), with initial
// weights drawn from seed. The graph is built and checked; its name is
// Keras's, e.g. mobilenetv2_1.00_224.
func V2(cfg V2Config, inputShape [3]int, classes int, seed uint64) (*ops.Graph, error) {
	alpha := cfg.Alpha
	if alpha == 0 {
		alpha = 1
	}
	h, w, c := inputShape[0], inputShape[1], inputShape[2]
	switch {
	case !(alpha > 0) || math.IsInf(alpha, 0):
		return nil, fmt.Errorf("mobilenet: alpha = %v, want a positive width multiplier", cfg.Alpha)
	case h < MinInputSize || w < MinInputSize || c < 1:
		return nil, fmt.Errorf("mobilenet: input shape %v: MobileNetV2 takes images of at least %d×%d with channels", inputShape, MinInputSize, MinInputSize)
	case !cfg.NoTop && classes < 1:
		return nil, fmt.Errorf("mobilenet: %d classes, want at least 1", classes)
	case cfg.Pooling != "" && cfg.Pooling != "avg" && cfg.Pooling != "max":
		return nil, fmt.Errorf("mobilenet: pooling %q, want \"\", \"avg\" or \"max\"", cfg.Pooling)
	case cfg.Pooling != "" && !cfg.NoTop:
		return nil, fmt.Errorf("mobilenet: pooling %q applies only without the top (NoTop)", cfg.Pooling)
	}

	g := ops.NewGraph(seed)
	b := &builder{g: g}
	g.Name = fmt.Sprintf("mobilenetv2_%.2f_%d", alpha, h)
	x := g.Input("", inputShape[:]...)

	x = g.Conv2D(x, ops.Conv2DConfig{Name: "Conv1", Filters: makeDivisible(32*alpha, 8),
		KernelSize: [2]int{3, 3}, Strides: [2]int{2, 2}, Padding: ops.Same, NoBias: true})
	x = b.batchNorm(x, "bn_Conv1")
	x = relu6(g, x, "Conv1_relu")

	id := 0
	for _, blk := range v2Blocks {
		for i := 0; i < blk.n; i++ {
			stride := 1
			if i == 0 {
				stride = blk.s
			}
			x = b.invertedResidual(x, blk.t, stride, alpha, blk.c, id)
			id++
		}
	}

	// No alpha on the last convolution below 1, as the paper says: wider
	// networks widen it, narrower ones keep 1280.
	last := 1280
	if alpha > 1 {
		last = makeDivisible(1280*alpha, 8)
	}
	x = g.Conv2D(x, ops.Conv2DConfig{Name: "Conv_1", Filters: last, KernelSize: [2]int{1, 1}, NoBias: true})
	x = b.batchNorm(x, "Conv_1_bn")
	x = relu6(g, x, "out_relu")

	switch {
	case !cfg.NoTop:
		x = g.GlobalAveragePooling2D(x)
		x = g.Dense(x, ops.DenseConfig{Name: "predictions", Units: classes, Activation: ops.Softmax})
	case cfg.Pooling == "avg":
		x = g.GlobalAveragePooling2D(x)
	case cfg.Pooling == "max":
		x = g.GlobalMaxPooling2D(x)
	}
	g.SetOutput(x)
	err := b.err
	if err == nil {
		err = g.Build()
	}
	if err != nil {
		return nil, fmt.Errorf("mobilenet: MobileNetV2 (alpha %v) on %v inputs: %w", alpha, inputShape, err)
	}
	return g, nil
}

// invertedResidual is Keras's _inverted_res_block: a 1×1 expansion to
// expansion × the input channels (not in block 0), a 3×3 depthwise
// convolution, each with BatchNorm and ReLU6, then a linear 1×1
// projection with BatchNorm, and the input added back when the shapes
// allow.
func (b *builder) invertedResidual(in *ops.Node, expansion, stride int, alpha float64, filters, id int) *ops.Node {
	if in == nil {
		return nil // an earlier layer failed; g holds its error
	}
	g := b.g
	inChannels := in.Shape[len(in.Shape)-1]
	pointwise := makeDivisible(float64(int(float64(filters)*alpha)), 8)
	prefix := fmt.Sprintf("block_%d_", id)
	x := in
	if id > 0 {
		x = g.Conv2D(x, ops.Conv2DConfig{Name: prefix + "expand", Filters: expansion * inChannels,
			KernelSize: [2]int{1, 1}, Padding: ops.Same, NoBias: true})
		x = b.batchNorm(x, prefix+"expand_BN")
		x = relu6(g, x, prefix+"expand_relu")
	} else {
		prefix = "expanded_conv_"
	}

	padding := ops.Same
	if stride == 2 {
		x = correctPad(g, x, prefix+"pad")
		padding = ops.Valid
	}
	x = g.DepthwiseConv2D(x, ops.DepthwiseConv2DConfig{Name: prefix + "depthwise",
		KernelSize: [2]int{3, 3}, Strides: [2]int{stride, stride}, Padding: padding, NoBias: true})
	x = b.batchNorm(x, prefix+"depthwise_BN")
	x = relu6(g, x, prefix+"depthwise_relu")

	x = g.Conv2D(x, ops.Conv2DConfig{Name: prefix + "project", Filters: pointwise,
		KernelSize: [2]int{1, 1}, Padding: ops.Same, NoBias: true})
	x = b.batchNorm(x, prefix+"project_BN")

	if inChannels == pointwise && stride == 1 {
		return g.Apply(&ops.Add{Name: prefix + "add"}, in, x)
	}
	return x
}

// correctPad is Keras's ZeroPadding2D(imagenet_utils.correct_pad(x, 3)):
// one row and column of zeros on each side of an odd extent, and only
// after (bottom, right) an even one, so that the stride-2 3×3 window that
// follows is centred as TensorFlow's "same" padding centres it.
func correctPad(g *ops.Graph, x *ops.Node, name string) *ops.Node {
	if x == nil {
		return nil
	}
	h, w := x.Shape[len(x.Shape)-3], x.Shape[len(x.Shape)-2]
	top, left := h%2, w%2 // 1 - adjust, adjust = 1 - size%2
	return g.Apply(&ops.ZeroPadding2D{Name: name, Top: top, Bottom: 1, Left: left, Right: 1}, x)
}

// builder is the graph under construction and the first error of a layer
// made outside the graph's own builder methods, which record theirs in g.
type builder struct {
	g   *ops.Graph
	err error
}

// batchNorm is MobileNetV2's BatchNormalization(axis=-1, epsilon=1e-3,
// momentum=0.999).
func (b *builder) batchNorm(x *ops.Node, name string) *ops.Node {
	if x == nil {
		return nil
	}
	l, err := ops.NewBatchNormalization(ops.BatchNormConfig{Name: name, Axis: -1, Epsilon: bnEpsilon, Momentum: bnMomentum}, x.Shape[len(x.Shape)-1])
	if err != nil {
		if b.err == nil {
			b.err = err
		}
		return nil
	}
	return b.g.Apply(l, x)
}

// relu6 is ReLU(6.0, name=name).
func relu6(g *ops.Graph, x *ops.Node, name string) *ops.Node {
	return g.ReLU(x, ops.ReLU6Config(name))
}

// makeDivisible is Keras's _make_divisible(v, divisor): v rounded to the
// nearest multiple of divisor, at least divisor, and never more than 10%
// below v.
func makeDivisible(v float64, divisor int) int {
	n := max(divisor, int(v+float64(divisor)/2)/divisor*divisor)
	if float64(n) < 0.9*v {
		n += divisor
	}
	return n
}
