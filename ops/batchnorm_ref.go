package ops

import "math"

// ForwardRef normalises by the definition, in float64: in Training mode it
// measures the batch's mean and biased variance directly and moves the
// moving statistics exactly as Forward does.
func (l *BatchNormalization) ForwardRef(out *Tensor, in []*Tensor, mode Mode) error {
	if err := checkForward(l, out, in); err != nil {
		return err
	}
	x := in[0]
	c := l.Channels()
	pixels := x.Len() / c
	mean := make([]float64, c)
	variance := make([]float64, c)
	for i := 0; i < c; i++ {
		mean[i] = float64(l.MovingMean.Value[i])
		variance[i] = float64(l.MovingVariance.Value[i])
	}
	if mode == Training {
		for i := 0; i < c; i++ {
			var s, ss float64
			for p := 0; p < pixels; p++ {
				s += float64(x.Data[p*c+i])
			}
			mean[i] = s / float64(pixels)
			for p := 0; p < pixels; p++ {
				d := float64(x.Data[p*c+i]) - mean[i]
				ss += d * d
			}
			variance[i] = ss / float64(pixels)
		}
		l.BatchMean, l.BatchVar = make([]float32, c), make([]float32, c)
		for i := 0; i < c; i++ {
			l.BatchMean[i], l.BatchVar[i] = float32(mean[i]), float32(variance[i])
		}
		l.UpdateMoving(l.BatchMean, l.BatchVar, pixels)
	}
	for p := 0; p < pixels; p++ {
		for i := 0; i < c; i++ {
			norm := (float64(x.Data[p*c+i]) - mean[i]) / math.Sqrt(variance[i]+float64(l.Epsilon))
			out.Data[p*c+i] = float32(float64(l.Gamma.Value[i])*norm + float64(l.Beta.Value[i]))
		}
	}
	return nil
}
