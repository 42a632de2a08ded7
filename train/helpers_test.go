package train

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/simdnet/simdnet/ops"
)

// randTensor fills a tensor with uniform values in [-1, 1).
func randTensor(rng *rand.Rand, shape ...int) *ops.Tensor {
	t := ops.NewTensor(shape...)
	for i := range t.Data {
		t.Data[i] = float32(2*rng.Float64() - 1)
	}
	return t
}

// distinctTensor fills a tensor with a random permutation of values 0.05
// apart, so that no two are within a finite-difference step of each other:
// maximum pooling then has no near-ties to cross.
func distinctTensor(rng *rand.Rand, shape ...int) *ops.Tensor {
	t := ops.NewTensor(shape...)
	for i, j := range rng.Perm(len(t.Data)) {
		t.Data[i] = 0.05*float32(j) - 0.025*float32(len(t.Data)) + 0.0125
	}
	return t
}

// jitter replaces every parameter with random values, so that checks do not
// run at the special point of zero biases, unit gamma and zero beta.
// Moving variances stay positive.
func jitter(g *ops.Graph, rng *rand.Rand) {
	for _, p := range g.Params() {
		for i := range p.Value {
			switch p.Name {
			case "moving_variance", "gamma":
				p.Value[i] = float32(0.5 + rng.Float64())
			default:
				p.Value[i] = float32(rng.Float64() - 0.5)
			}
		}
	}
}

// refOutput runs g's reference forward (float64 accumulation inside every
// layer) and returns the output node's values and, when logits is set, the
// output before its final activation.
func refOutput(t *testing.T, g *ops.Graph, x *ops.Tensor, mode ops.Mode, logits bool) []float32 {
	t.Helper()
	vals, err := g.Run(x, ops.RunOptions{Mode: mode, Reference: true, Logits: logits})
	if err != nil {
		t.Fatal(err)
	}
	return vals[g.OutputNode().ID].Data
}

// lossFunc is a scalar function of the graph's current weights and input,
// evaluated in float64.
type lossFunc func() float64

// weightedSum is the loss Σ r·out of the reference forward: its gradient
// with respect to the output is r itself.
func weightedSum(t *testing.T, g *ops.Graph, x *ops.Tensor, r []float32) lossFunc {
	return func() float64 {
		out := refOutput(t, g, x, ops.Training, false)
		var s float64
		for i, v := range out {
			s += float64(v) * float64(r[i])
		}
		return s
	}
}

// crossEntropy is the mean softmax cross-entropy of the reference forward's
// logits, in float64.
func crossEntropy(t *testing.T, g *ops.Graph, x *ops.Tensor, labels []int) lossFunc {
	return func() float64 {
		z := refOutput(t, g, x, ops.Training, true)
		classes := len(z) / len(labels)
		var loss float64
		for r, y := range labels {
			row := z[r*classes : (r+1)*classes]
			m := math.Inf(-1)
			for _, v := range row {
				m = math.Max(m, float64(v))
			}
			var s float64
			for _, v := range row {
				s += math.Exp(float64(v) - m)
			}
			loss += m + math.Log(s) - float64(row[y])
		}
		return loss / float64(len(labels))
	}
}

// fdTolerance bounds |numeric - analytic| by abs + rel·max(|numeric|,
// |analytic|). A gradient that misses a term or has a wrong factor is off by
// far more than float32 rounding of the perturbed loss allows.
type fdTolerance struct{ abs, rel float64 }

// checkGrad compares the analytic gradient grad of loss with respect to the
// values vals against central differences, perturbing each value by ±eps
// (every value when there are at most maxChecks, else a spread sample).
// Where the one-sided differences disagree, the step crossed a kink of a
// ReLU or a maximum and the point is skipped; more than a fifth of the
// points skipped fails the check, so a wrong gradient cannot hide there.
func checkGrad(t *testing.T, name string, vals, grad []float32, loss lossFunc, eps float64, tol fdTolerance) {
	t.Helper()
	const maxChecks = 40
	step := max(1, len(vals)/maxChecks)
	worst := 0.0
	checked, skipped := 0, 0
	l0 := loss()
	for i := 0; i < len(vals); i += step {
		orig := vals[i]
		hi, lo := float32(float64(orig)+eps), float32(float64(orig)-eps)
		vals[i] = hi
		lp := loss()
		vals[i] = lo
		lm := loss()
		vals[i] = orig
		num := (lp - lm) / (float64(hi) - float64(lo))
		right := (lp - l0) / (float64(hi) - float64(orig))
		left := (l0 - lm) / (float64(orig) - float64(lo))
		ana := float64(grad[i])
		bound := tol.abs + tol.rel*math.Max(math.Abs(num), math.Abs(ana))
		checked++
		if math.Abs(right-left) > 4*bound+0.1*math.Abs(num) {
			skipped++
			continue
		}
		diff := math.Abs(num - ana)
		worst = math.Max(worst, diff/bound)
		if diff > bound {
			t.Errorf("%s[%d]: analytic %.6g, numeric %.6g (|diff| %.3g > %.3g)", name, i, ana, num, diff, bound)
		}
	}
	if skipped > checked/5 {
		t.Errorf("%s: %d of %d points are at kinks; choose other data", name, skipped, checked)
	}
	t.Logf("%s: %d values (%d at kinks), worst |diff|/bound %.3f", name, checked, skipped, worst)
}

// checkDirectional compares the analytic directional derivative g·d of loss
// with central differences along d, for d = g/|g| and a random unit d. A
// whole network is checked this way: moving every value at once makes the
// change in the loss large next to float32 rounding. A wrong gradient
// misses along g/|g| (the numeric value (true·g)/|g| is |g| only when g is
// true) or along the random d. A step that flips ReLUs or maxima of a
// network spoils some step sizes, so the check passes when any of a few
// steps agrees; a wrong gradient agrees with none.
func checkDirectional(t *testing.T, name string, vals, grad []float32, loss lossFunc, rng *rand.Rand, rel float64) {
	t.Helper()
	var norm float64
	for _, v := range grad {
		norm += float64(v) * float64(v)
	}
	norm = math.Sqrt(norm)
	if norm == 0 {
		t.Errorf("%s: gradient is zero", name)
		return
	}
	dirs := [][]float64{make([]float64, len(vals)), make([]float64, len(vals))}
	var rn float64
	for i, v := range grad {
		dirs[0][i] = float64(v) / norm
		dirs[1][i] = rng.NormFloat64()
		rn += dirs[1][i] * dirs[1][i]
	}
	for i := range dirs[1] {
		dirs[1][i] /= math.Sqrt(rn)
	}
	orig := append([]float32(nil), vals...)
	// The floor covers gradients that are zero in exact arithmetic, such as
	// a bias followed by batch normalisation.
	bound := rel*norm + 1e-4
	for k, d := range dirs {
		var ana float64
		for i, v := range grad {
			ana += float64(v) * d[i]
		}
		at := func(s float64) float64 {
			for i := range vals {
				vals[i] = float32(float64(orig[i]) + s*d[i])
			}
			return loss()
		}
		best, bestNum := math.Inf(1), 0.0
		for _, eps := range []float64{1e-4, 3e-4, 1e-3} {
			num := (at(eps) - at(-eps)) / (2 * eps)
			if diff := math.Abs(num - ana); diff < best {
				best, bestNum = diff, num
			}
		}
		copy(vals, orig)
		if best > bound {
			t.Errorf("%s along direction %d: analytic %.6g, numeric %.6g (|diff| %.3g > %g·|g| + 1e-4)", name, k, ana, bestNum, best, rel)
		} else {
			t.Logf("%s along direction %d: analytic %.6g, numeric %.6g, |diff|/|g| %.2g", name, k, ana, bestNum, best/norm)
		}
	}
}
