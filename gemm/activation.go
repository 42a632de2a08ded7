package gemm

import "github.com/simdnet/simdnet/internal/vec"

// Activation is the element-wise function the epilogue applies last, to
// each tile of C while it is still in L1: a kind plus its parameters, as
// BLAS-style arguments (gemm knows nothing of layers). Lo and Hi bound
// ActClip (ReLU6 is Lo 0, Hi 6), Alpha is ActLeakyReLU's slope below zero.
type Activation = vec.Activation

// ActKind names an activation.
type ActKind = vec.ActKind

// The activations of Params.Act; see internal/vec for their definitions
// and accuracy (sigmoid and SiLU are a few float32 ulp from exact).
const (
	ActNone      = vec.ActNone      // x
	ActReLU      = vec.ActReLU      // max(x, 0), the same as Params.ReLU
	ActClip      = vec.ActClip      // min(max(x, Lo), Hi)
	ActLeakyReLU = vec.ActLeakyReLU // x, or Alpha·x where x < 0
	ActHardSwish = vec.ActHardSwish // x·min(max(x+3, 0), 6)/6
	ActSigmoid   = vec.ActSigmoid   // 1/(1+exp(-x))
	ActSiLU      = vec.ActSiLU      // x·sigmoid(x)
)

// applyAct applies the job's activation, when the kernel does not apply it
// in registers (Kernel.acts), to the rows×cols tile of C at c that the
// kernel has just stored. Every kernel applies ReLU, clip and LeakyReLU (a
// compare or a multiply per vector, constants in the registers the k loop
// leaves free); hard_swish, sigmoid and SiLU need more constants and
// scratch registers than the AVX2 kernel has beside its tile (the AVX-512
// ones have eight zmm left and do them too). The tile is still in L1, so
// applying them here costs the arithmetic and no trip to memory. The
// routine is vec.ActivateRows (AVX2 where the CPU has it), whose bits the
// kernels reproduce, so every kernel gives the same activation of the same
// sums.
func (jb *job) applyAct(c []float32, rows, cols int) {
	if jb.act.Kind != ActNone {
		vec.ActivateRows(c, jb.ldc, rows, cols, jb.act)
	}
}
