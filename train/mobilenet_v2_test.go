package train

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/simdnet/simdnet/mobilenet"
	"github.com/simdnet/simdnet/ops"
)

// TestMobileNetV2Gradients checks the Trainer's gradient of the real
// MobileNetV2 (alpha 0.35, 32×32) along random directions for the stem,
// a depthwise kernel, a projection and the classifier.
func TestMobileNetV2Gradients(t *testing.T) {
	if testing.Short() {
		t.Skip("a float64 reference forward of MobileNetV2 per direction")
	}
	rng := rand.New(rand.NewPCG(41, 42))
	g, err := mobilenet.V2(mobilenet.V2Config{Alpha: 0.35}, [3]int{64, 64, 3}, 4, 7)
	if err != nil {
		t.Fatal(err)
	}
	x, labels := syntheticBatch(rng, 4, [3]int{64, 64, 3}, 4)
	// ReLU6's kinks, met by thousands of units, blur central differences
	// of a network this deep; a smooth function in their place keeps every
	// other layer's gradient under test.
	for _, n := range g.Nodes() {
		if l, ok := n.Layer.(*ops.ReLULayer); ok {
			n.Layer = &ops.Activation{Name: l.Name, Func: ops.Swish}
		}
	}
	tr, err := NewTrainer(g, nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := tr.Gradients(x, labels)
	if err != nil {
		t.Fatal(err)
	}
	loss := crossEntropy(t, g, x, labels)
	if ref := loss(); abs(ref-r.Loss) > 1e-4*(1+abs(ref)) {
		t.Fatalf("loss %v, reference forward gives %v", r.Loss, ref)
	}
	names := Params(g)
	checked := 0
	for i, w := range tr.TrainableParams() {
		name := names[slices.IndexFunc(names, func(np NamedParam) bool { return np.Param == w })].Key()
		switch name {
		case "Conv1/kernel", "block_3_depthwise/depthwise_kernel", "block_6_project/kernel", "predictions/kernel", "block_3_depthwise_BN/gamma":
			checkDirectional(t, name, w.Value, tr.Grads()[i], loss, rng, netRel)
			checked++
		}
	}
	if checked != 5 {
		t.Fatalf("checked %d parameter tensors, want 5 (names changed?)", checked)
	}
}

// BenchmarkTrainStepMobileNetV2 times one Adam step of MobileNetV2
// (alpha 1) on SIGNS-shaped batches of 32.
func BenchmarkTrainStepMobileNetV2(b *testing.B) {
	g, err := mobilenet.V2(mobilenet.V2Config{}, [3]int{64, 64, 3}, 6, 1)
	if err != nil {
		b.Fatal(err)
	}
	tr, err := NewTrainer(g, NewAdam())
	if err != nil {
		b.Fatal(err)
	}
	const batch = 32
	x, labels := syntheticBatch(rand.New(rand.NewPCG(1, 2)), batch, [3]int{64, 64, 3}, 6)
	if _, err := tr.Step(x, labels); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	cpu0 := cpuTime()
	start := time.Now()
	for range b.N {
		if _, err := tr.Step(x, labels); err != nil {
			b.Fatal(err)
		}
	}
	step := time.Since(start).Seconds() / float64(b.N)
	b.ReportMetric(step*1e3, "ms/step")
	b.ReportMetric(float64(batch)/step, "img/s")
	b.ReportMetric(step*float64((signsEpoch+batch-1)/batch), "s/epoch")
	b.ReportMetric((cpuTime()-cpu0).Seconds()*1e3/float64(b.N), "cpu-ms/step")
}
