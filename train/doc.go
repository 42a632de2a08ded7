// Package train trains an ops.Graph: the backward pass of every layer the
// ResNets use, softmax cross-entropy, the Adam and SGD optimizers with
// learning-rate schedules, and a Trainer that runs one optimizer step per
// batch.
//
// A Trainer plans the graph once (plan.go): which nodes need gradients,
// which layers are fused in the forward pass (BatchNormalization or Add
// followed by a ReLU write the ReLU's output directly), and where each
// node's output gradient lives. A node whose only consumer passes the
// gradient through (Add, Flatten, a linear Activation) reads its consumer's
// buffer, and a BatchNormalization that feeds only a ReLU reads the ReLU's
// gradient masked by the ReLU's output, so the ReLU backward is never
// materialised. Gradient buffers are assigned by liveness, and all buffers
// of one batch size are allocated once (workspace.go).
//
// Heavy work runs on gemm: a convolution's kernel and bias gradients are
// one product [patchesᵀ; 1]·dY whose A operand is packed straight from the
// input (patches.go), and its input gradient is dY·Wᵀ scattered back by
// col2im in chunks of images, or written in place for 1×1 stride-1
// convolutions.
//
// Determinism: reductions (batch statistics, BN and bias sums) are cut into
// chunks whose size depends only on the tensor shape, and the per-chunk
// partial sums are combined in chunk order, so results do not depend on
// how goroutines are scheduled. Same seed, same batches and the same
// GOMAXPROCS give bit-identical weights.
package train
