package quant

import (
	"fmt"
	"math"
)

// Weights quantizes a rows×cols row-major weight matrix (one output
// channel per column, BatchNorm already folded in) per output channel,
// symmetrically: scale[j] = max_p |w[p][j]| / 127 and q = round(w/scale[j])
// in -127..127 (never -128, so a sign flip cannot overflow). A column of
// zeros gets scale 1.
func Weights(w []float32, rows, cols int) (q []int8, scale []float32, err error) {
	if rows <= 0 || cols <= 0 || len(w) != rows*cols {
		return nil, nil, fmt.Errorf("quant: %d weights for a %d×%d matrix", len(w), rows, cols)
	}
	scale = make([]float32, cols)
	amax := make([]float64, cols)
	for i, v := range w {
		x := float64(v)
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, nil, fmt.Errorf("quant: weight %d (row %d, column %d) is %v", i, i/cols, i%cols, v)
		}
		amax[i%cols] = max(amax[i%cols], math.Abs(x))
	}
	for j, a := range amax {
		scale[j] = 1
		if a > 0 {
			scale[j] = float32(a / 127)
		}
	}
	q = make([]int8, len(w))
	for i, v := range w {
		r := math.RoundToEven(float64(v / scale[i%cols]))
		q[i] = int8(min(max(r, -127), 127))
	}
	return q, scale, nil
}
