package train

import "math"

// Schedule gives the learning rate for a step: epoch counts from 0, and
// step is the number of optimizer steps taken before this one (the
// optimizer's Iterations), so a schedule may work by epochs or by steps.
type Schedule func(epoch, step int) float64

// Constant keeps the learning rate at lr.
func Constant(lr float64) Schedule {
	return func(int, int) float64 { return lr }
}

// StepDecay multiplies the initial rate by factor every `every` epochs:
// initial·factor^⌊epoch/every⌋.
func StepDecay(initial, factor float64, every int) Schedule {
	every = max(every, 1)
	return func(epoch, _ int) float64 {
		return initial * math.Pow(factor, float64(epoch/every))
	}
}

// CosineDecay is Keras's CosineDecay over optimizer steps: the rate falls
// from initial along half a cosine to alpha·initial at decaySteps, and
// stays there.
func CosineDecay(initial float64, decaySteps int, alpha float64) Schedule {
	decaySteps = max(decaySteps, 1)
	return func(_, step int) float64 {
		t := float64(min(step, decaySteps)) / float64(decaySteps)
		cos := 0.5 * (1 + math.Cos(math.Pi*t))
		return initial * ((1-alpha)*cos + alpha)
	}
}
