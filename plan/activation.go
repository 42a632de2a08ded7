package plan

import (
	"github.com/simdnet/simdnet/gemm"
	"github.com/simdnet/simdnet/ops"
)

// kernelAct splits a layer activation into what the gemm epilogue (and the
// depthwise kernels, which take the same set) apply while the output is
// hot, and what is left for a pass after them: Linear when nothing is.
// GELU, tanh and the hard sigmoids are not in the kernels' set.
func kernelAct(f ops.ActFunc) (gemm.Activation, ops.ActFunc) {
	switch f {
	case ops.Linear:
		return gemm.Activation{Kind: gemm.ActNone}, ops.Linear
	case ops.ReLU:
		return gemm.Activation{Kind: gemm.ActReLU}, ops.Linear
	case ops.ReLU6:
		return gemm.Activation{Kind: gemm.ActClip, Lo: 0, Hi: 6}, ops.Linear
	case ops.LeakyReLU:
		return gemm.Activation{Kind: gemm.ActLeakyReLU, Alpha: ops.LeakyReLUSlope}, ops.Linear
	case ops.HardSwish:
		return gemm.Activation{Kind: gemm.ActHardSwish}, ops.Linear
	case ops.Sigmoid:
		return gemm.Activation{Kind: gemm.ActSigmoid}, ops.Linear
	case ops.Swish:
		return gemm.Activation{Kind: gemm.ActSiLU}, ops.Linear
	}
	return gemm.Activation{Kind: gemm.ActNone}, f
}
