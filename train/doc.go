// Package train trains an ops.Graph: the backward pass of every layer the
// ResNets use, softmax cross-entropy, the Adam and SGD optimizers with
// learning-rate schedules, and a Trainer that runs one optimizer step per
// batch (trainer.go).
//
// A Trainer plans the graph once (plan*.go). It marks the nodes that need a
// gradient (so the first convolution computes none for the input), and it
// fuses: a BatchNormalization or Add followed only by a ReLU writes the
// ReLU's output, and the BatchNormalizations that only feed such an Add (a
// residual block's last one and its shortcut's) are normalised inside it,
// so their outputs are never stored. Gradients are shared where they pass
// through unchanged: a node whose only consumer is an Add, a Flatten or a
// linear Activation reads its consumer's gradient buffer, and a
// BatchNormalization under a ReLU reads the ReLU's gradient masked by the
// ReLU's output, so no ReLU backward is materialised. The remaining buffers
// are assigned by liveness and allocated once per batch size
// (workspace.go).
//
// Heavy work runs on gemm. A convolution's kernel and bias gradients are one
// product [patchesᵀ; 1]·dY whose A operand is packed straight from the
// input (patches.go). Its input gradient is dY·Wᵀ itself for a 1×1 stride-1
// convolution, a convolution of dY with the turned kernel for other stride-1
// ones with many rows (backward_conv_transposed.go), and otherwise dY·Wᵀ in
// chunks of images scattered back by col2im. gemm splits every product
// between the goroutines of its pool, by rows, by columns (so that the
// goroutines do not each pack the deep layers' kernels) or, for the weight
// gradients' huge depths, by depth (gemm.Params.SplitK).
//
// Determinism: reductions (batch statistics, BatchNormalization's gradient
// sums) are cut into chunks whose size depends only on the tensor shape, and
// the partial sums are combined in chunk order; every product computes each
// output value by the same operations however it is split. Same seed, same
// batches and the same code give bit-identical weights, whatever
// GOMAXPROCS is (TestDeterministicTraining).
package train
