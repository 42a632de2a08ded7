package train

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/resnet"
)

// TestOverfitTinyBatch trains a tiny residual network on one small batch:
// a correct backward pass drives the loss down by ten times quickly.
func TestOverfitTinyBatch(t *testing.T) {
	g := tinyResNet(1, 3)
	opt := NewAdam()
	opt.SetLearningRate(0.01)
	tr, err := NewTrainer(g, opt)
	if err != nil {
		t.Fatal(err)
	}
	x, labels := syntheticBatch(rand.New(rand.NewPCG(5, 6)), 6, [3]int{8, 8, 3}, 3)
	first, err := tr.Step(x, labels)
	if err != nil {
		t.Fatal(err)
	}
	const steps = 100
	var last StepResult
	for i := range steps {
		if last, err = tr.Step(x, labels); err != nil {
			t.Fatal(err)
		}
		if last.Loss < first.Loss/10 {
			t.Logf("loss %.4f → %.4f in %d steps", first.Loss, last.Loss, i+2)
			break
		}
	}
	if !(last.Loss < first.Loss/10) {
		t.Fatalf("loss %.4f → %.4f after %d steps, want a tenth", first.Loss, last.Loss, steps+1)
	}
	if last.Correct != len(labels) {
		t.Errorf("%d of %d right after overfitting", last.Correct, len(labels))
	}
	// Inference mode uses the moving statistics, which lag the batch's but
	// must still give finite probabilities that sum to one.
	probs, err := tr.Predict(x)
	if err != nil {
		t.Fatal(err)
	}
	for r := range len(labels) {
		var s float64
		for _, p := range probs.Data[r*3 : r*3+3] {
			s += float64(p)
		}
		if math.Abs(s-1) > 1e-5 {
			t.Errorf("row %d of Predict sums to %v", r, s)
		}
	}
}

// detSide is the input side of the determinism tests' network: large
// enough that its layers split work between goroutines.
const detSide = 24

// trainRun takes steps [from, to), each on its own deterministic batch.
func trainRun(t *testing.T, tr *Trainer, from, to int) {
	t.Helper()
	for s := from; s < to; s++ {
		x, labels := syntheticBatch(rand.New(rand.NewPCG(100, uint64(s))), 8, [3]int{detSide, detSide, 3}, 3)
		if _, err := tr.Step(x, labels); err != nil {
			t.Fatal(err)
		}
	}
}

func newTinyTrainer(t *testing.T) *Trainer {
	t.Helper()
	tr, err := NewTrainer(residualNet(7, 3, detSide, 16, 32), NewAdam())
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// identicalWeights fails unless both graphs hold bit-identical parameters,
// moving statistics included.
func identicalWeights(t *testing.T, what string, a, b *ops.Graph) {
	t.Helper()
	pa, pb := Params(a), Params(b)
	for i := range pa {
		for j, v := range pa[i].Param.Value {
			if w := pb[i].Param.Value[j]; math.Float32bits(v) != math.Float32bits(w) {
				t.Fatalf("%s: %s[%d] = %v and %v", what, pa[i].Key(), j, v, w)
			}
		}
	}
}

// TestDeterministicTraining runs the same steps twice, with one and with
// two threads, and as 2 steps, a checkpoint (weights and optimizer state)
// and 2 more in a fresh trainer: all must give the same bits.
func TestDeterministicTraining(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	a, b := newTinyTrainer(t), newTinyTrainer(t)
	trainRun(t, a, 0, 4)
	trainRun(t, b, 0, 4)
	identicalWeights(t, "two runs, one thread", a.Graph(), b.Graph())

	// Resume: 2 steps, copy weights and state into a fresh trainer, 2 more.
	c := newTinyTrainer(t)
	trainRun(t, c, 0, 2)
	d := newTinyTrainer(t)
	for i, p := range Params(c.Graph()) {
		copy(Params(d.Graph())[i].Param.Value, p.Param.Value)
	}
	if err := d.Optimizer().LoadState(Params(d.Graph()), c.Optimizer().State(Params(c.Graph()))); err != nil {
		t.Fatal(err)
	}
	trainRun(t, d, 2, 4)
	identicalWeights(t, "2 steps + resume + 2 steps", a.Graph(), d.Graph())

	runtime.GOMAXPROCS(2)
	e := newTinyTrainer(t)
	trainRun(t, e, 0, 4)
	identicalWeights(t, "one thread and two threads", a.Graph(), e.Graph())
}

// TestSeededInitialisation checks that one seed gives one model, with
// Keras's initial values: glorot_uniform kernels, zero biases, and batch
// normalisation at gamma 1, beta 0, moving mean 0, moving variance 1.
func TestSeededInitialisation(t *testing.T) {
	cfg := resnet.Config{Arch: "resnet50-seed", InputShape: resnet.SignsInput, Classes: resnet.SignsClasses}
	g1, err := cfg.Build()
	if err != nil {
		t.Fatal(err)
	}
	g2, err := cfg.Build()
	if err != nil {
		t.Fatal(err)
	}
	identicalWeights(t, "two builds of one seed", g1, g2)
	cfg.Seed = 1
	g3, err := cfg.Build()
	if err != nil {
		t.Fatal(err)
	}
	if Params(g3)[0].Param.Value[0] == Params(g1)[0].Param.Value[0] {
		t.Error("seeds 0 and 1 give the same first weight")
	}
	want := map[string]float32{"bias": 0, "gamma": 1, "beta": 0, "moving_mean": 0, "moving_variance": 1}
	for _, p := range Params(g1) {
		if v, ok := want[p.Param.Name]; ok {
			for _, x := range p.Param.Value {
				if x != v {
					t.Fatalf("%s holds %v, want %v", p.Key(), x, v)
				}
			}
			continue
		}
		s := p.Param.Shape
		fanIn, fanOut := s[0], s[1]
		if len(s) == 4 {
			fanIn, fanOut = s[0]*s[1]*s[2], s[0]*s[1]*s[3]
		}
		limit := math.Sqrt(6 / float64(fanIn+fanOut))
		var sq float64
		for _, x := range p.Param.Value {
			if math.Abs(float64(x)) > limit {
				t.Fatalf("%s holds %v, outside ±%v", p.Key(), x, limit)
			}
			sq += float64(x) * float64(x)
		}
		// Uniform on ±limit has variance limit²/3.
		if rms := math.Sqrt(sq / float64(len(p.Param.Value))); math.Abs(rms-limit/math.Sqrt(3)) > 0.1*limit {
			t.Errorf("%s has rms %v, want about %v", p.Key(), rms, limit/math.Sqrt(3))
		}
	}
	if total, trainable, _ := g1.CountParams(); total != 17958790 || trainable != total-51072 {
		t.Errorf("seed ResNet50 has %d parameters (%d trainable), want 17958790 (%d)", total, trainable, 17958790-51072)
	}
}

// TestInferenceMatchesOps checks the trainer's fused Inference-mode forward
// (Predict, Evaluate) against the graph's own layer-by-layer forward, after
// some training has moved the moving statistics away from 0 and 1.
func TestInferenceMatchesOps(t *testing.T) {
	tr := newTinyTrainer(t)
	trainRun(t, tr, 0, 3)
	x, labels := syntheticBatch(rand.New(rand.NewPCG(9, 9)), 5, [3]int{detSide, detSide, 3}, 3)
	got, err := tr.Predict(x)
	if err != nil {
		t.Fatal(err)
	}
	want, err := tr.Graph().Forward(x, ops.Inference)
	if err != nil {
		t.Fatal(err)
	}
	var loss float64
	correct := 0
	for r, y := range labels {
		best := 0
		for i := range 3 {
			g, w := got.Data[r*3+i], want.Data[r*3+i]
			if math.Abs(float64(g-w)) > 1e-5 {
				t.Errorf("sample %d: p[%d] = %v, ops gives %v", r, i, g, w)
			}
			if w > want.Data[r*3+best] {
				best = i
			}
		}
		loss -= math.Log(float64(want.Data[r*3+y]))
		if best == y {
			correct++
		}
	}
	res, err := tr.Evaluate(x, labels)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(res.Loss-loss/5) > 1e-4 || res.Correct != correct || res.Count != 5 {
		t.Errorf("Evaluate = %+v, want loss %v, %d correct of 5", res, loss/5, correct)
	}
}

// TestStepsReuseBuffers checks that steps after the first allocate almost
// nothing: every tensor is allocated once per batch size, and what is left
// are the few small objects of goroutine hand-offs.
func TestStepsReuseBuffers(t *testing.T) {
	tr := newTinyTrainer(t)
	x, labels := syntheticBatch(rand.New(rand.NewPCG(1, 1)), 8, [3]int{detSide, detSide, 3}, 3)
	var before, after runtime.MemStats
	if _, err := tr.Step(x, labels); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&before)
	const steps = 5
	for range steps {
		if _, err := tr.Step(x, labels); err != nil {
			t.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	perStep := (after.TotalAlloc - before.TotalAlloc) / steps
	// One activation of this network is 8·22·22·16·4 bytes ≈ 250 KB, so
	// no tensor can hide under the bound.
	if perStep > 128<<10 {
		t.Errorf("a step allocates %d bytes, want under 128 KiB", perStep)
	}
	t.Logf("%d bytes allocated per step", perStep)
}

// TestSoftmaxHeads checks that a separate softmax Activation at the output
// trains like Dense's fused softmax: both hand their logits to the loss.
func TestSoftmaxHeads(t *testing.T) {
	build := func(separate bool) *Trainer {
		g := ops.NewGraph(3)
		x := g.Input("", 4)
		if separate {
			x = g.Activation(g.Dense(x, ops.DenseConfig{Name: "fc", Units: 3}), ops.Softmax)
		} else {
			x = g.Dense(x, ops.DenseConfig{Name: "fc", Units: 3, Activation: ops.Softmax})
		}
		g.SetOutput(x)
		tr, err := NewTrainer(g, NewSGD(0.1, 0.9, true))
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	a, b := build(false), build(true)
	x := randTensor(rand.New(rand.NewPCG(4, 4)), 5, 4)
	labels := []int{0, 1, 2, 1, 0}
	for range 3 {
		ra, err := a.Step(x, labels)
		if err != nil {
			t.Fatal(err)
		}
		rb, err := b.Step(x, labels)
		if err != nil {
			t.Fatal(err)
		}
		if ra != rb {
			t.Fatalf("fused softmax %+v, separate %+v", ra, rb)
		}
	}
	identicalWeights(t, "fused and separate softmax", a.Graph(), b.Graph())
}

// TestScheduleDrivesLearningRate checks that Step sets the rate from the
// schedule, by epoch and by the number of steps taken, before updating.
func TestScheduleDrivesLearningRate(t *testing.T) {
	tr := newTinyTrainer(t)
	var seen [][2]int
	tr.SetSchedule(func(epoch, step int) float64 {
		seen = append(seen, [2]int{epoch, step})
		return 0.5 / float64(step+1)
	})
	tr.SetEpoch(4)
	trainRun(t, tr, 0, 3)
	want := [][2]int{{4, 0}, {4, 1}, {4, 2}}
	if len(seen) != 3 || seen[0] != want[0] || seen[1] != want[1] || seen[2] != want[2] {
		t.Errorf("schedule called with %v, want %v", seen, want)
	}
	if got := tr.Optimizer().LearningRate(); got != float64(float32(0.5/3)) {
		t.Errorf("learning rate %v after 3 steps, want %v", got, float32(0.5/3))
	}
}
