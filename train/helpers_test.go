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
func checkGrad(t *testing.T, name string, vals, grad []float32, loss lossFunc, eps float64, tol fdTolerance) {
	t.Helper()
	const maxChecks = 40
	step := max(1, len(vals)/maxChecks)
	worst := 0.0
	for i := 0; i < len(vals); i += step {
		orig := vals[i]
		hi, lo := float32(float64(orig)+eps), float32(float64(orig)-eps)
		vals[i] = hi
		lp := loss()
		vals[i] = lo
		lm := loss()
		vals[i] = orig
		num := (lp - lm) / (float64(hi) - float64(lo))
		ana := float64(grad[i])
		diff := math.Abs(num - ana)
		bound := tol.abs + tol.rel*math.Max(math.Abs(num), math.Abs(ana))
		worst = math.Max(worst, diff/bound)
		if diff > bound {
			t.Errorf("%s[%d]: analytic %.6g, numeric %.6g (|diff| %.3g > %.3g)", name, i, ana, num, diff, bound)
		}
	}
	t.Logf("%s: %d values, worst |diff|/bound %.3f", name, (len(vals)+step-1)/step, worst)
}
