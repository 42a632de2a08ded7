// Package onnx reads ONNX model files (opsets 11 to 18) in pure Go and
// lowers them onto an ops.Graph, which the inference planner compiles like
// any other simdnet model.
//
//	m, err := onnx.Load("resnet18.onnx", onnx.Options{})
//	if err != nil { ... }
//	p, err := m.Compile(plan.Options{})
//	y, err := p.Forward(x) // x in the file's own layout, e.g. N×3×224×224
//
// # What a file may hold
//
// One float32 input whose first axis is the batch: symbolic ("N",
// "batch_size") or fixed, in which case any batch size is accepted all the
// same. The other axes are fixed. One output. Initializers inline or in
// external data files, which must lie in the model's directory (or below
// it) and whose offsets and lengths are checked against their real size.
//
// # Layout
//
// ONNX images are NCHW; simdnet's are NHWC. The lowering keeps every
// image (a rank-4 tensor, unless a Transpose made it N×H×W×C) in NHWC and transposes the weights once, at load: a
// Conv kernel O×I×kH×kW becomes kH×kW×I×O. Flatten keeps the file's
// meaning: the Gemm or MatMul after a Flatten of C×H×W gets the rows of its
// weight permuted to H×W×C order, so no transpose runs at inference. The
// model's input and output keep the file's layout (Model.Forward and
// Plan.Forward transpose a rank-4 input from NCHW, and a rank-4 output back
// to it); Options.ChannelsLast makes both NHWC instead, so that no
// transpose runs at the boundary either.
//
// # Operators
//
// Conv (group, including depthwise; dilations, pads, auto_pad, strides),
// BatchNormalization, Relu, Clip with a lower bound of 0 (ReLU6), LeakyRelu,
// Sigmoid, Tanh, HardSigmoid (ONNX's and PyTorch's parameters), HardSwish,
// Erf in the erf form of GELU, Add/Sub/Mul of computed tensors that
// broadcast as ops' merge layers do (residuals, squeeze-and-excitation),
// Add/Sub/Mul/Div with a scalar or a per-channel constant, MaxPool and
// AveragePool (pads, auto_pad, ceil_mode, count_include_pad),
// GlobalAveragePool, GlobalMaxPool, ReduceMean/ReduceMax over H×W, Flatten,
// Reshape, Squeeze and Unsqueeze (of tensors in the file's order, or to
// flatten an image), Transpose between NCHW and NHWC, Concat on the
// channels, Pad with zeros on H and W, Gemm, MatMul with a constant
// matrix, Softmax and LayerNormalization on the last axis, Identity,
// Dropout, Constant, ConstantOfShape, Shape, Gather, Cast, Slice and
// Split (of constants, and of computed tensors along any axis but the
// batch with step 1, as ops.Slice layers), and ShuffleNet's channel
// shuffle: Reshape of an image to N×g×C/g×H×W, Transpose(0, 2, 1, 3, 4)
// and Reshape back (lower_slice.go). SupportedOperators lists them.
//
// # Constant folding
//
// Shape arithmetic (Shape, Gather, Unsqueeze, Squeeze, Concat, Cast, Add,
// Sub, Mul, Div, Slice, Constant, ConstantOfShape, Reshape of constants)
// is evaluated at load, with the batch dimension kept symbolic, so the
// Reshape at the end of it sees a constant target. Identity and Dropout
// (inference) are removed.
//
// # Bad files
//
// Every allocation is bounded by the size of the file or by a documented
// limit (MaxFileBytes, MaxFoldedElements, MaxDim, MaxSampleElements).
// Malformed, truncated or hostile files give an *Error naming the file
// and, where there is one, the node; never a panic. Before any weight is
// decoded, Load checks every node's operator and attributes and reports
// all those simdnet cannot run in one *UnsupportedError.
package onnx
