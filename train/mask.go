package train

import "math"

// keep returns v where the ReLU output y is positive and zero where it is
// not, without a branch: the mask of a ReLU is about as often set as not,
// so a branch on it would be mispredicted half the time. Since y ≥ 0 (a
// ReLU output, never -0), y > 0 exactly when its bits are not zero, and for
// those bits (b + 0x7fffffff) >> 31 is 1.
func keep(v, y float32) float32 {
	m := -((math.Float32bits(y) + 0x7fffffff) >> 31)
	return math.Float32frombits(math.Float32bits(v) & m)
}
