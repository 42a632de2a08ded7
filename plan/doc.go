// Package plan compiles an ops.Graph into a fused inference plan.
//
//	p, err := plan.Compile(g, plan.Options{})
//	err = p.Run(out, x) // x: N × the input shape, out: N × the output shape
//
// # What Compile does
//
// Each layer is asked what it computes (ops.InferenceLayer, or
// ops.InferenceChain for a layer made of several operations, such as
// SeparableConv2D): a product on gemm (convolutions, grouped and dilated
// ones included, and dense layers), a depthwise convolution, a per-channel
// affine map, an activation, a sum, a zero padding, a channel
// concatenation, a channel scale, a view of the same memory, or a kernel of
// its own over plain slices. The planner then fuses by those kinds, never
// by layer type:
//
//   - a product or depthwise convolution absorbs the zero padding before it
//     (its packer or kernel supplies the zeros), the affine map after it
//     (folded into its weights and bias: BatchNorm), and the activation, or
//     for a product a residual sum and the activation after it. ReLU, ReLU6,
//     LeakyReLU, hard_swish, sigmoid and SiLU run in the gemm epilogue (or
//     the depthwise kernel) while the output is hot; the others in a pass
//     after the step.
//   - a channel scale read only by a 1×1 product (squeeze-and-excitation)
//     is applied as that product packs its operand.
//   - a channel concatenation costs no copy for the inputs that are products
//     or depthwise convolutions nothing else reads: they write their
//     channel slice of its value (gemm's LDC); the others are copied.
//   - element-wise steps that nothing absorbs write over their input where
//     nothing else reads it.
//
// Grouped convolutions run on gemm group by group, their patches packed
// straight from the input; one with a group per channel runs on the
// depthwise kernels (package dwconv). Weights are packed once. Every tensor
// gets a fixed place in one arena by liveness, and the leading,
// activation-heavy steps of a large batch run a few images at a time so
// their activations stay in the caches.
//
// # The seam
//
// The planner imports ops; ops knows nothing of plans. A new layer becomes
// compilable by implementing Inference in its own file, reporting one of
// the kinds above in ops' terms (weights, geometry, per-channel factors, a
// kernel function); it is then fused like the layers before it, or, as a
// kernel, runs as a step of its own on the plan's memory, allocating
// nothing. Nothing here changes.
//
// # Concurrency and memory
//
// A Plan is safe for concurrent use. Each run takes an arena from the
// plan's pool, so a steady stream of calls allocates nothing; an arena no
// run has taken for Options.ArenaIdle is dropped, and one larger than its
// runs needed in that time is cut down, so a server whose load or batch
// size fell gives the memory back. RunContext checks its context before
// every step. Close waits for the runs in flight, then releases the
// weights and arenas; later runs return ErrClosed.
package plan
