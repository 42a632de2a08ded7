package ops

import "math"

// ForwardRef applies the function by its definition, in float64.
func (l *Activation) ForwardRef(out *Tensor, in []*Tensor, _ Mode) error {
	if err := checkForward(l, out, in); err != nil {
		return err
	}
	x := in[0]
	switch l.Func {
	case Linear:
		copy(out.Data, x.Data)
	case ReLU:
		for i, v := range x.Data {
			if v > 0 {
				out.Data[i] = v
			} else {
				out.Data[i] = 0
			}
		}
	case Softmax:
		softmaxRef(out.Data, x.Data, x.Shape[len(x.Shape)-1])
	}
	return nil
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
