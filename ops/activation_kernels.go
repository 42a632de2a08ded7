package ops

import (
	"math"

	"github.com/simdnet/simdnet/internal/parallel"
	"github.com/simdnet/simdnet/internal/vec"
)

// Kernel splits f into the part the vectorised kernels (vec.Activate, and
// so gemm's epilogue) apply and the rest, applied by a pass of its own:
// for ReLU, ReLU6, leaky_relu, hard_swish, sigmoid and swish the kernels
// do it all and the rest is Linear; GELU, tanh and the hard sigmoids are
// not in their set.
func (a ActFunc) Kernel() (vec.Activation, ActFunc) {
	switch a {
	case ReLU:
		return vec.Activation{Kind: vec.ActReLU}, Linear
	case ReLU6:
		return vec.Activation{Kind: vec.ActClip, Lo: 0, Hi: 6}, Linear
	case LeakyReLU:
		return vec.Activation{Kind: vec.ActLeakyReLU, Alpha: LeakyReLUSlope}, Linear
	case HardSwish:
		return vec.Activation{Kind: vec.ActHardSwish}, Linear
	case Sigmoid:
		return vec.Activation{Kind: vec.ActSigmoid}, Linear
	case Swish:
		return vec.Activation{Kind: vec.ActSiLU}, Linear
	}
	return vec.Activation{Kind: vec.ActNone}, a
}

// sqrt2OverPi is √(2/π), the tanh approximation of GELU's constant.
const sqrt2OverPi = 0.7978845608028654

// actValue is f(x) in float32 for an element-wise f (softmax excluded),
// with exp, erf and tanh taken in float64 and rounded once.
func actValue(f ActFunc, x float32) float32 {
	switch f {
	case ReLU:
		return max(x, 0)
	case ReLU6:
		return min(max(x, 0), 6)
	case LeakyReLU:
		if x < 0 {
			return LeakyReLUSlope * x
		}
		return x
	case Sigmoid:
		return float32(sigmoid64(float64(x)))
	case HardSigmoid:
		return min(max(0.2*x+0.5, 0), 1)
	case HardSigmoidTorch:
		return min(max(x+3, 0), 6) / 6
	case Swish:
		return float32(float64(x) * sigmoid64(float64(x)))
	case HardSwish:
		return x * (min(max(x+3, 0), 6) / 6)
	case GELU:
		v := float64(x)
		return float32(0.5 * v * (1 + math.Erf(v/math.Sqrt2)))
	case GELUTanh:
		v := float64(x)
		return float32(0.5 * v * (1 + math.Tanh(sqrt2OverPi*(v+0.044715*v*v*v))))
	case Tanh:
		return float32(math.Tanh(float64(x)))
	}
	return x
}

// sigmoid64 is 1/(1+e^-x), written so that neither branch overflows.
func sigmoid64(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// applyElementwise writes f(src) into dst on one goroutine, the
// kernels' set (see Kernel) vectorised.
func applyElementwise(f ActFunc, dst, src []float32) {
	dst = dst[:len(src)]
	if k, rest := f.Kernel(); rest == Linear {
		vec.Activate(dst, src, k)
		return
	}
	switch f {
	case Linear:
		copy(dst, src)
	default:
		for i, v := range src {
			dst[i] = actValue(f, v)
		}
	}
}

// activate writes f(src) into dst, spread over the cores; softmax works on
// rows of the given width. dst and src may be the same slice.
func activate(f ActFunc, dst, src []float32, width int) {
	if f == Softmax {
		rows := len(src) / width
		parallel.For(rows, parallel.Grain(8*width), func(lo, hi int) {
			for r := lo; r < hi; r++ {
				softmaxRow(dst[r*width:(r+1)*width], src[r*width:(r+1)*width])
			}
		})
		return
	}
	if f == Linear {
		copy(dst, src)
		return
	}
	grain := 1 << 15
	if !f.piecewiseLinear() {
		grain = 1 << 12 // exp, erf and tanh cost tens of cycles a value
	}
	parallel.For(len(src), grain, func(lo, hi int) {
		applyElementwise(f, dst[lo:hi], src[lo:hi])
	})
}

// piecewiseLinear reports whether f needs no transcendental function.
func (a ActFunc) piecewiseLinear() bool {
	switch a {
	case Linear, ReLU, ReLU6, LeakyReLU, HardSigmoid, HardSigmoidTorch, HardSwish:
		return true
	}
	return false
}

// softmaxRow subtracts the row's maximum before exponentiating, so large
// logits cannot overflow, and sums in float64.
func softmaxRow(dst, src []float32) {
	dst = dst[:len(src)]
	m := src[0]
	for _, v := range src {
		m = max(m, v)
	}
	var sum float64
	for i, v := range src {
		e := math.Exp(float64(v - m))
		dst[i] = float32(e)
		sum += e
	}
	inv := float32(1 / sum)
	for i := range dst {
		dst[i] *= inv
	}
}
