package ops

import (
	"math"
	"math/rand/v2"
	"testing"
)

// randTensor returns a tensor of the given shape with values uniform in
// [-1, 1).
func randTensor(rng *rand.Rand, shape ...int) *Tensor {
	t := NewTensor(shape...)
	for i := range t.Data {
		t.Data[i] = rng.Float32()*2 - 1
	}
	return t
}

// fillRand overwrites p's values with uniform values in [lo, hi), so that
// tests do not depend on zero biases or unit gammas.
func fillRand(rng *rand.Rand, p *Param, lo, hi float32) {
	for i := range p.Value {
		p.Value[i] = lo + (hi-lo)*rng.Float32()
	}
}

// assertClose fails unless got and want agree to within the rounding error
// of float32 sums of reduce terms: each element may be off by a few units in
// the last place for every term summed.
func assertClose(t *testing.T, what string, got, want []float32, reduce int) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	const ulp = 1.0 / (1 << 23)
	for i := range want {
		g, w := float64(got[i]), float64(want[i])
		tol := 4 * ulp * float64(reduce) * (1 + math.Abs(w))
		if math.IsNaN(g) || math.Abs(g-w) > tol {
			t.Fatalf("%s: [%d] = %v, want %v (tolerance %.3g)", what, i, g, w, tol)
		}
	}
}
