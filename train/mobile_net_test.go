package train

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/simdnet/simdnet/ops"
)

// tinyMobileNet is a MobileNetV2/V3-style network on side×side inputs:
// a strided stem with ReLU6, an inverted-residual block (1×1 expansion,
// depthwise 3×3, squeeze-and-excitation, linear 1×1 projection, residual
// Add), a strided depthwise block with hard_swish, global pooling, an
// optional dropout and a softmax classifier.
func tinyMobileNet(seed uint64, classes, side int, dropout float32) *ops.Graph {
	g := ops.NewGraph(seed)
	x := g.Input("", side, side, 3)
	x = g.Conv2D(x, ops.Conv2DConfig{Filters: 8, KernelSize: [2]int{3, 3}, Strides: [2]int{2, 2}, Padding: ops.Same, NoBias: true})
	x = g.BatchNormalization(x, "")
	x = g.ReLU(x, ops.ReLU6Config(""))

	sc := x
	y := g.Conv2D(x, ops.Conv2DConfig{Filters: 16, KernelSize: [2]int{1, 1}, NoBias: true})
	y = g.BatchNormalization(y, "")
	y = g.ReLU(y, ops.ReLU6Config(""))
	y = g.DepthwiseConv2D(y, ops.DepthwiseConv2DConfig{KernelSize: [2]int{3, 3}, Padding: ops.Same, NoBias: true})
	y = g.BatchNormalization(y, "")
	y = g.ReLU(y, ops.ReLU6Config(""))
	s := g.GlobalAveragePooling2DKeepdims(y)
	s = g.Conv2D(s, ops.Conv2DConfig{Filters: 4, KernelSize: [2]int{1, 1}})
	s = g.Activation(s, ops.ReLU)
	s = g.Conv2D(s, ops.Conv2DConfig{Filters: 16, KernelSize: [2]int{1, 1}})
	s = g.Activation(s, ops.HardSigmoidTorch)
	y = g.Multiply(y, s)
	y = g.Conv2D(y, ops.Conv2DConfig{Filters: 8, KernelSize: [2]int{1, 1}, NoBias: true})
	y = g.BatchNormalization(y, "")
	x = g.Add(y, sc)

	x = g.DepthwiseConv2D(x, ops.DepthwiseConv2DConfig{KernelSize: [2]int{3, 3}, Strides: [2]int{2, 2}, Padding: ops.Same, DepthMultiplier: 2})
	x = g.BatchNormalization(x, "")
	x = g.Activation(x, ops.HardSwish)
	x = g.GlobalAveragePooling2D(x)
	if dropout > 0 {
		x = g.Dropout(x, dropout, seed)
	}
	x = g.Dense(x, ops.DenseConfig{Units: classes, Activation: ops.Softmax})
	g.SetOutput(x)
	if err := g.Build(); err != nil {
		panic(err)
	}
	return g
}

// TestMobileNetGradients checks a whole MobileNet-style network's loss
// gradient along random directions against central differences.
func TestMobileNetGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	g := tinyMobileNet(3, 3, 9, 0)
	jitter(g, rng)
	x, labels := syntheticBatch(rng, 3, [3]int{9, 9, 3}, 3)
	checkTrainerGradients(t, g, x, labels, rng)
}

// checkTrainerGradients checks the Trainer's loss on x against the
// reference forward and its gradient of every trainable parameter along
// random directions against central differences.
func checkTrainerGradients(t *testing.T, g *ops.Graph, x *ops.Tensor, labels []int, rng *rand.Rand) {
	t.Helper()
	tr, err := NewTrainer(g, nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := tr.Gradients(x, labels)
	if err != nil {
		t.Fatal(err)
	}
	loss := crossEntropy(t, g, x, labels)
	if ref := loss(); abs(ref-r.Loss) > 1e-5*(1+abs(ref)) {
		t.Fatalf("loss %v, reference forward gives %v", r.Loss, ref)
	}
	names := Params(g)
	for i, w := range tr.TrainableParams() {
		name := names[slices.IndexFunc(names, func(np NamedParam) bool { return np.Param == w })].Key()
		checkDirectional(t, name, w.Value, tr.Grads()[i], loss, rng, netRel)
	}
}

// TestOverfitTinyMobileNet trains the network, dropout included, on one
// small batch until it fits it.
func TestOverfitTinyMobileNet(t *testing.T) {
	g := tinyMobileNet(1, 3, 9, 0.2)
	opt := NewAdam()
	opt.SetLearningRate(0.01)
	tr, err := NewTrainer(g, opt)
	if err != nil {
		t.Fatal(err)
	}
	x, labels := syntheticBatch(rand.New(rand.NewPCG(5, 6)), 6, [3]int{9, 9, 3}, 3)
	first, err := tr.Step(x, labels)
	if err != nil {
		t.Fatal(err)
	}
	var last StepResult
	for range 150 {
		if last, err = tr.Step(x, labels); err != nil {
			t.Fatal(err)
		}
		if last.Loss < first.Loss/5 {
			break
		}
	}
	if !(last.Loss < first.Loss/5) {
		t.Fatalf("loss %.4f → %.4f, want a fifth", first.Loss, last.Loss)
	}
}
