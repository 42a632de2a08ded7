package ops

import "math"

// ForwardRef applies the function by its definition, in float64.
func (l *Activation) ForwardRef(out *Tensor, in []*Tensor, _ Mode) error {
	if err := checkForward(l, out, in); err != nil {
		return err
	}
	x := in[0]
	if l.Func == Softmax {
		softmaxRef(out.Data, x.Data, x.Shape[len(x.Shape)-1])
		return nil
	}
	for i, v := range x.Data {
		out.Data[i] = float32(actRef(l.Func, float64(v)))
	}
	return nil
}

// actRef is an element-wise activation by its textbook definition, in
// float64: the reference the float32 kernels are tested against.
func actRef(f ActFunc, x float64) float64 {
	relu6 := func(v float64) float64 { return math.Min(math.Max(v, 0), 6) }
	switch f {
	case ReLU:
		return math.Max(x, 0)
	case ReLU6:
		return relu6(x)
	case LeakyReLU:
		if x < 0 {
			return LeakyReLUSlope * x
		}
		return x
	case Sigmoid:
		return 1 / (1 + math.Exp(-x))
	case HardSigmoid:
		return math.Min(math.Max(0.2*x+0.5, 0), 1)
	case HardSigmoidTorch:
		return relu6(x+3) / 6
	case Swish:
		return x / (1 + math.Exp(-x))
	case HardSwish:
		return x * relu6(x+3) / 6
	case GELU:
		return x * 0.5 * math.Erfc(-x/math.Sqrt2) // Φ(x) = erfc(-x/√2)/2
	case GELUTanh:
		return 0.5 * x * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(x+0.044715*x*x*x)))
	case Tanh:
		return math.Tanh(x)
	}
	return x
}

// softmaxRef is softmax over rows of the given width, in float64.
func softmaxRef(dst, src []float32, width int) {
	for r := 0; r < len(src)/width; r++ {
		row := src[r*width : (r+1)*width]
		m := math.Inf(-1)
		for _, v := range row {
			m = math.Max(m, float64(v))
		}
		var sum float64
		for _, v := range row {
			sum += math.Exp(float64(v) - m)
		}
		for i, v := range row {
			dst[r*width+i] = float32(math.Exp(float64(v)-m) / sum)
		}
	}
}
