package ops

import "github.com/simdnet/simdnet/im2col"

// The seam between layers and inference planners (package plan).
//
// A planner compiles a graph by asking each layer what it computes in
// inference, in ops' own terms, through the one method of InferenceLayer:
// a linear map on gemm with these weights, a per-channel affine map, an
// element-wise activation, a sum, a zero padding, a view of the same
// memory, or, for anything else, a kernel over plain slices. The planner
// never switches on layer types: it fuses by the kinds (a product absorbs
// the padding before it, the affine map and activation after it, a
// residual sum), so a new layer that reports one of them is compiled and
// fused like the old ones, and one that reports a kernel is compiled as a
// step of its own. Adding a layer touches the layer alone.
//
// The planner imports ops, never the reverse; nothing here knows of plans.

// InferenceLayer is a layer a planner can compile.
type InferenceLayer interface {
	Layer
	// Inference describes the layer's inference computation for the
	// given per-sample input shapes (those OutputShape accepts). The
	// slices it returns are the layer's own or fresh: planners copy what
	// they keep and never write to them.
	Inference(in ...Shape) (InferenceOp, error)
}

// InferenceChain is a layer that computes as a chain of operations, each
// applied to the one before's output (SeparableConv2D: a depthwise
// convolution, then a 1×1 product). Planners compile and fuse each link
// like a layer of its own. InferenceChain returns the links and the
// per-sample output shape of each; the last is the layer's.
type InferenceChain interface {
	Layer
	InferenceChain(in ...Shape) ([]InferenceOp, []Shape, error)
}

// OpKind is what a layer computes, as far as a planner cares.
type OpKind uint8

const (
	// OpKernel: Kernel computes the output from the inputs.
	OpKernel OpKind = iota
	// OpProduct: a linear map on gemm, Product.
	OpProduct
	// OpAffine: y = x·Scale[c] + Shift[c] over the last axis c
	// (BatchNormalization in inference, Rescaling, Normalization).
	OpAffine
	// OpActivation: y = Act(x), element-wise, or softmax over the last axis.
	OpActivation
	// OpSum: the element-wise sum of the inputs, which share one shape.
	OpSum
	// OpPad: Pad zeros around each H×W×C image (top, bottom, left, right).
	OpPad
	// OpSameMemory: the output is the input's memory under another shape
	// (Flatten, Reshape, Dropout in inference).
	OpSameMemory
	// OpDepthwise: a depthwise convolution, Depthwise.
	OpDepthwise
	// OpConcat: the inputs joined along the last axis (channels). Kernel
	// does it by copying, for planners that do not place the inputs in
	// the output's memory.
	OpConcat
	// OpChannelScale: input 0 (…×C) times input 1, one factor per sample
	// and channel (1×1×C: squeeze-and-excitation's scale). Kernel does it
	// as a pass of its own, for planners that do not fold it into the
	// next product's operand.
	OpChannelScale
)

// InferenceOp is a layer's answer to Inference: the kind, and the fields
// that kind uses.
type InferenceOp struct {
	Kind         OpKind
	Product      Product   // OpProduct
	Scale, Shift []float32 // OpAffine, one value per channel
	Act          ActFunc   // OpActivation
	Pad          [4]int    // OpPad: top, bottom, left, right
	Kernel       Kernel    // OpKernel
	Depthwise    Depthwise // OpDepthwise
}

// Product is a linear map computed on gemm: the patches of the input under
// Geometry (per sample, N = 1) times Weights (K × Filters, row-major:
// Keras's kernel flattened), plus Bias (nil: none), then Act. A Dense layer
// is a 1×1 convolution over an image of rows × 1 pixels whose channels are
// its features.
//
// With Groups > 1 the channels and filters split into that many groups,
// group g's filters [g·F/G, (g+1)·F/G) reading its channels [g·C/G,
// (g+1)·C/G), so K = KH·KW·C/G; Dilation spaces the window's taps (zero
// means 1). Otherwise K = Geometry.Cols().
type Product struct {
	Geometry im2col.Geometry
	Groups   int
	Dilation [2]int
	Weights  []float32
	Filters  int
	Bias     []float32
	Act      ActFunc
}

// Depthwise is a depthwise convolution: input channel c convolved with its
// own M filters gives output channels c·M+j, Keras's order. Weights are
// Keras's depthwise kernel [kh, kw, C, M]; Bias has C·M values or is nil;
// Act follows.
type Depthwise struct {
	Geometry DepthwiseGeometry // per sample (N = 1)
	Weights  []float32
	Bias     []float32
	Act      ActFunc
}

// Kernel computes a layer's inference output for n samples from plain
// slices (src[i] is input i, dst the output, both n samples long), on the
// calling goroutine and without allocating, so a planner can run it on its
// own memory. What names it in a plan's description. Run keeps copies of
// whatever it needs of the layer, so a plan does not change when the layer
// does.
type Kernel struct {
	What string
	Run  func(dst []float32, src [][]float32, n int)
}

// ApplyActivation writes f(src) into dst on the calling goroutine, softmax
// over rows of width values; dst may be src. It is the activation planners
// apply after a product, or as a step of its own.
func ApplyActivation(f ActFunc, dst, src []float32, width int) {
	if f == Softmax {
		for r := 0; r+width <= len(src); r += width {
			softmaxRow(dst[r:r+width], src[r:r+width])
		}
		return
	}
	applyElementwise(f, dst, src)
}
