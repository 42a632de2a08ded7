package ops

// ForwardRef computes out[r, u] = act(bias[u] + Σ_i in[r, i]·kernel[i, u])
// by the definition, in float64.
func (l *Dense) ForwardRef(out *Tensor, in []*Tensor, _ Mode) error {
	if err := checkForward(l, out, in); err != nil {
		return err
	}
	x := in[0]
	k, units := l.InFeatures(), l.Units
	for r := 0; r < x.Len()/k; r++ {
		for u := 0; u < units; u++ {
			var sum float64
			if l.Bias != nil {
				sum = float64(l.Bias.Value[u])
			}
			for i := 0; i < k; i++ {
				sum += float64(x.Data[r*k+i]) * float64(l.Kernel.Value[i*units+u])
			}
			if l.Activation != Softmax {
				sum = actRef(l.Activation, sum)
			}
			out.Data[r*units+u] = float32(sum)
		}
	}
	if l.Activation == Softmax {
		softmaxRef(out.Data, out.Data, units)
	}
	return nil
}
