package ops

import (
	"fmt"
	"strings"
)

// ActFunc is an activation function, by its Keras name. Every layer with an
// activation= argument (Dense, the convolutions) and the Activation layer
// accept all of them.
type ActFunc uint8

const (
	Linear  ActFunc = iota // identity ("linear", Keras's default)
	ReLU                   // max(x, 0)
	Softmax                // exp(x) normalised over the last axis
	ReLU6                  // min(max(x, 0), 6), MobileNet's
	// LeakyReLU is Keras 3's leaky_relu activation: x for x ≥ 0, else
	// 0.2·x. The LeakyReLU layer takes any slope (default 0.3).
	LeakyReLU
	Sigmoid // 1 / (1 + exp(-x))
	// HardSigmoid is tf.keras's (Keras 2's) hard_sigmoid and ONNX's
	// HardSigmoid with its default alpha 0.2, beta 0.5:
	// clip(0.2·x + 0.5, 0, 1).
	HardSigmoid
	// HardSigmoidTorch is PyTorch's Hardsigmoid, which is also Keras 3's
	// hard_sigmoid and MobileNetV3's: relu6(x + 3) / 6 = clip(x/6 + 0.5, 0, 1).
	HardSigmoidTorch
	Swish     // x · sigmoid(x), also called SiLU
	HardSwish // x · relu6(x + 3) / 6, PyTorch's Hardswish and Keras's hard_swish
	GELU      // x · Φ(x) with the exact normal CDF, 0.5·x·(1 + erf(x/√2))
	// GELUTanh is GELU's tanh approximation (Keras's approximate=True,
	// PyTorch's approximate='tanh'):
	// 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
	GELUTanh
	Tanh // tanh(x)
)

// LeakyReLUSlope is the negative slope of the leaky_relu activation
// function (Keras 3's default); the LeakyReLU layer defaults to 0.3.
const LeakyReLUSlope = 0.2

var actNames = [...]string{
	Linear: "linear", ReLU: "relu", Softmax: "softmax", ReLU6: "relu6", LeakyReLU: "leaky_relu",
	Sigmoid: "sigmoid", HardSigmoid: "hard_sigmoid", HardSigmoidTorch: "hard_sigmoid_torch",
	Swish: "swish", HardSwish: "hard_swish", GELU: "gelu", GELUTanh: "gelu_tanh", Tanh: "tanh",
}

// actAliases are other names Keras and PyTorch give the same functions.
var actAliases = map[string]ActFunc{"silu": Swish, "hard_silu": HardSwish, "hardswish": HardSwish, "hardsigmoid": HardSigmoidTorch}

func (a ActFunc) String() string {
	if int(a) < len(actNames) {
		return actNames[a]
	}
	return fmt.Sprintf("ActFunc(%d)", uint8(a))
}

// ParseActFunc reads a Keras activation name (or an alias such as silu).
func ParseActFunc(s string) (ActFunc, error) {
	for i, n := range actNames {
		if n == s {
			return ActFunc(i), nil
		}
	}
	if a, ok := actAliases[s]; ok {
		return a, nil
	}
	return 0, fmt.Errorf("ops: unknown activation %q (want one of %s)", s, strings.Join(actNames[:], ", "))
}

func (a ActFunc) valid() bool { return int(a) < len(actNames) }

// Elementwise reports whether the function works value by value (all but
// softmax).
func (a ActFunc) Elementwise() bool { return a != Softmax }
