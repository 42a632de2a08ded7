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

// applyAct applies the job's activation, when it has one beyond the ReLU
// the micro-kernels apply in registers, to the rows×cols tile of C at c
// that the kernel has just stored: the tile is still in L1, so this costs
// the arithmetic and no trip to memory. It runs the same routine
// (vec.ActivateRows, AVX2 where the CPU has it) after every kernel, so
// that every kernel gives the same activation of the same sums.
func (jb *job) applyAct(c []float32, rows, cols int) {
	if jb.act.Kind != ActNone {
		vec.ActivateRows(c, jb.ldc, rows, cols, jb.act)
	}
}
