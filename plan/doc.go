// Package plan compiles an ops.Graph into a fused inference plan.
//
//	p, err := plan.Compile(g, plan.Options{})
//	err = p.Run(out, x) // x: N×H×W×C, out: N × the output shape
//
// # What Compile does
//
// Each layer is asked what it computes (ops.InferenceLayer): a product on
// gemm, a per-channel affine map, an activation, a sum, a zero padding, a
// view of the same memory, or a kernel of its own over plain slices. The
// planner then fuses by those kinds, never by layer type: a product
// absorbs the zero padding before it (its packer supplies the zeros), the
// affine map after it (folded into the weights and bias: BatchNorm), and
// the activation, or a residual sum and the activation after it (in the
// gemm epilogue while each tile is in registers). Weights are packed once
// for the micro-kernel. Every tensor gets a fixed place in one arena by
// liveness, and the leading, activation-heavy steps of a large batch run a
// few images at a time so their activations stay in the caches.
//
// # The seam
//
// The planner imports ops; ops knows nothing of plans. A new layer becomes
// compilable by implementing Inference in its own file, reporting one of
// the kinds above; if it reports a product or an affine map or an
// activation it is fused like the layers before it, and if it reports a
// kernel it runs as a step of its own, on the plan's memory, allocating
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
