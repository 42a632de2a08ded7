// Package ops holds simdnet's tensors, its Keras-compatible layers and the
// functional graph that wires them into a model.
//
// Tensors are float32, row-major and channels-last (NHWC), as Keras stores
// them on the CPU. Each layer is a concrete exported struct whose
// configuration and parameters (Param, in Keras's weight order) are plain
// fields. Layers describe their inference computation to planners (package
// plan) through InferenceLayer, in ops' own terms (a product on gemm, an
// affine map, an activation, a kernel over plain slices; see inference.go),
// so the planner needs no list of layer types. Every layer has two forward
// passes: Forward, the fast
// one (convolutions and dense layers run on package gemm, the rest in tight
// loops spread over the cores), and ForwardRef, a direct transcription of
// the definition with float64 accumulation that tests treat as the truth.
//
// Forward passes write into an output tensor the caller allocates (see
// Layer.OutputShape) and validate shapes first, returning errors that name
// the layer and the shape it expected. Graph builds a model the way Keras's
// functional API does, and prints its summary and its DOT plot.
package ops
