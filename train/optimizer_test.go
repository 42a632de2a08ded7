package train

import (
	"math"
	"strings"
	"testing"

	"github.com/simdnet/simdnet/ops"
)

// tinyParams is a kernel and a bias, as a tiny model's weights.
func tinyParams() []NamedParam {
	k := &ops.Param{Name: "kernel", Shape: ops.Shape{2}, Value: []float32{0.5, -1.5}, Trainable: true}
	b := &ops.Param{Name: "bias", Shape: ops.Shape{1}, Value: []float32{0.25}, Trainable: true}
	mm := &ops.Param{Name: "moving_mean", Shape: ops.Shape{1}, Value: []float32{7}}
	return []NamedParam{{"dense", k}, {"dense", b}, {"bn", mm}}
}

func values(ps []NamedParam) []*ops.Param {
	out := make([]*ops.Param, len(ps))
	for i, p := range ps {
		out[i] = p.Param
	}
	return out
}

func near(t *testing.T, what string, got []float32, want []float64, tol float64) {
	t.Helper()
	for i := range want {
		if math.Abs(float64(got[i])-want[i]) > tol*math.Max(1, math.Abs(want[i])) {
			t.Errorf("%s[%d] = %.9g, want %.9g", what, i, got[i], want[i])
		}
	}
}

// TestAdamSteps checks two Adam steps against the Keras formula worked by
// hand. Step 1: m = 0.1g, v = 0.001g², lr_t = 0.001·sqrt(0.001)/0.1, so
// w -= lr_t·0.1g/(sqrt(0.001)|g| + 1e-7) ≈ 0.001·sign(g).
func TestAdamSteps(t *testing.T) {
	ps := tinyParams()
	a := NewAdam()
	g1 := [][]float32{{0.2, -0.4}, {1}, {5}}
	a.Update(values(ps), g1)
	lr1 := 0.001 * math.Sqrt(1-0.999) / (1 - 0.9)
	step := func(g, m, v float64) float64 { return lr1 * m / (math.Sqrt(v) + 1e-7) }
	want := []float64{
		0.5 - step(0.2, 0.1*0.2, 0.001*0.04),
		-1.5 - step(-0.4, 0.1*-0.4, 0.001*0.16),
	}
	near(t, "kernel after 1", ps[0].Param.Value, want, 1e-6)
	near(t, "bias after 1", ps[1].Param.Value, []float64{0.25 - step(1, 0.1, 0.001)}, 1e-6)
	if ps[2].Param.Value[0] != 7 {
		t.Errorf("non-trainable moving_mean changed to %v", ps[2].Param.Value[0])
	}
	// Step 2 with g = (-0.2, 0): m = 0.9·m1 + 0.1·g, v = 0.999·v1 + 0.001·g².
	k1 := []float64{float64(ps[0].Param.Value[0]), float64(ps[0].Param.Value[1])}
	a.Update(values(ps), [][]float32{{-0.2, 0}, {0}, {0}})
	lr2 := 0.001 * math.Sqrt(1-0.999*0.999) / (1 - 0.9*0.9)
	m := []float64{0.9*0.02 + 0.1*-0.2, 0.9 * -0.04}
	v := []float64{0.999*0.00004 + 0.001*0.04, 0.999 * 0.00016}
	want = []float64{k1[0] - lr2*m[0]/(math.Sqrt(v[0])+1e-7), k1[1] - lr2*m[1]/(math.Sqrt(v[1])+1e-7)}
	near(t, "kernel after 2", ps[0].Param.Value, want, 1e-6)
	if a.Iterations() != 2 {
		t.Errorf("iterations = %d, want 2", a.Iterations())
	}
}

func TestAdamWeightDecayOnKernelsOnly(t *testing.T) {
	ps := tinyParams()
	a := NewAdam()
	a.WeightDecay = 0.1
	a.Update(values(ps), [][]float32{{0, 0}, {0}, {0}})
	// The kernel's gradient is 0.1·w, the bias's stays 0: Adam's first step
	// moves the kernel by about lr against the sign of w.
	near(t, "kernel", ps[0].Param.Value, []float64{0.5 - 0.001, -1.5 + 0.001}, 1e-5)
	near(t, "bias", ps[1].Param.Value, []float64{0.25}, 0)
}

// TestSGDSteps checks two SGD steps with momentum, plain and Nesterov,
// against Keras's update: u = μu - lr·g; w += u (Nesterov: w += μu - lr·g).
func TestSGDSteps(t *testing.T) {
	const lr, mu = 0.1, 0.9
	gs := [][]float64{{1, -2}, {0.5, 0.5}}
	for _, nesterov := range []bool{false, true} {
		ps := tinyParams()
		s := NewSGD(lr, mu, nesterov)
		w := []float64{0.5, -1.5}
		u := []float64{0, 0}
		for _, g := range gs {
			s.Update(values(ps), [][]float32{{float32(g[0]), float32(g[1])}, {0}, {0}})
			for i := range w {
				u[i] = mu*u[i] - lr*g[i]
				if nesterov {
					w[i] += mu*u[i] - lr*g[i]
				} else {
					w[i] += u[i]
				}
			}
		}
		// By hand, plain: u1 = (-0.1, 0.2), w1 = (0.4, -1.3);
		// u2 = (-0.14, 0.13), w2 = (0.26, -1.17).
		if !nesterov {
			near(t, "hand-computed plain", []float32{float32(w[0]), float32(w[1])}, []float64{0.26, -1.17}, 1e-7)
		}
		near(t, "kernel", ps[0].Param.Value, w, 1e-6)
	}
	ps := tinyParams()
	NewSGD(0.5, 0, false).Update(values(ps), [][]float32{{1, 1}, {2}, {0}})
	near(t, "plain SGD", ps[0].Param.Value, []float64{0, -2}, 1e-7)
	near(t, "plain SGD bias", ps[1].Param.Value, []float64{-0.75}, 1e-7)
}

func TestOptimizerStateRoundTrip(t *testing.T) {
	for _, mk := range []func() Optimizer{
		func() Optimizer { return NewAdam() },
		func() Optimizer { return NewSGD(0.01, 0.9, true) },
	} {
		ps := tinyParams()
		a := mk()
		a.SetLearningRate(0.003)
		g := [][]float32{{0.3, -0.1}, {0.7}, {0}}
		a.Update(values(ps), g)
		st := a.State(ps)
		// A fresh model with the same weights: state goes by name.
		ps2 := tinyParams()
		for i := range ps {
			copy(ps2[i].Param.Value, ps[i].Param.Value)
		}
		b := mk()
		if err := b.LoadState(ps2, st); err != nil {
			t.Fatal(err)
		}
		if b.Iterations() != 1 || b.LearningRate() != a.LearningRate() {
			t.Errorf("restored iterations %d, lr %v; want 1, %v", b.Iterations(), b.LearningRate(), a.LearningRate())
		}
		// The two must now take bit-identical steps.
		a.Update(values(ps), g)
		b.Update(values(ps2), g)
		for i := range ps {
			for j, v := range ps[i].Param.Value {
				if v != ps2[i].Param.Value[j] {
					t.Errorf("after restore: %s[%d] = %v, want %v", ps[i].Key(), j, ps2[i].Param.Value[j], v)
				}
			}
		}
	}
}

func TestLoadStateErrors(t *testing.T) {
	ps := tinyParams()
	a := NewAdam()
	st := a.State(ps)
	if _, ok := st["adam/m/bn/moving_mean"]; ok {
		t.Error("state holds moments of a non-trainable parameter")
	}
	delete(st, "adam/v/dense/bias")
	st["adam/m/dense/kernel"] = []float32{1}
	st["adam/extra"] = []float32{0}
	err := NewAdam().LoadState(ps, st)
	if err == nil {
		t.Fatal("LoadState accepted a broken state")
	}
	for _, want := range []string{`missing "adam/v/dense/bias"`, `"adam/m/dense/kernel" has 1 values, want 2`, `unexpected "adam/extra"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
	st = NewAdam().State(ps)
	st["adam/iterations"] = []float32{1.5}
	if err := NewAdam().LoadState(ps, st); err == nil {
		t.Error("fractional iterations accepted")
	}
}

func TestSchedules(t *testing.T) {
	if got := StepDecay(0.1, 0.5, 2)(5, 0); math.Abs(got-0.025) > 1e-15 {
		t.Errorf("StepDecay at epoch 5 = %v, want 0.025", got)
	}
	c := CosineDecay(1, 100, 0.1)
	for _, tc := range []struct {
		step int
		want float64
	}{{0, 1}, {50, 0.55}, {100, 0.1}, {500, 0.1}} {
		if got := c(0, tc.step); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("CosineDecay(step %d) = %v, want %v", tc.step, got, tc.want)
		}
	}
	if Constant(0.3)(9, 9) != 0.3 {
		t.Error("Constant")
	}
}
