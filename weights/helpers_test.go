package weights

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/resnet"
)

// tinyArch is the two-stage ResNet of testdata/make_keras_fixtures.py:
// a convolutional and an identity block, then a strided convolutional
// block, on the tutorial's stem and head, so the tests see the tutorial's
// naming (res2a_branch2a, bn2b_branch2c, res3a_branch1, ...) in a model of
// about 16,000 parameters.
var tinyArch = resnet.Arch{Name: "TinyResNet", Block: resnet.Bottleneck, Stages: []resnet.Stage{
	{Filters: []int{4, 4, 8}, Blocks: 2, Stride: 1},
	{Filters: []int{8, 8, 16}, Blocks: 1, Stride: 2},
}}

// wideArch differs from tinyArch only in stage 3's first two filter
// counts, so its weights mismatch tinyArch's in a few known shapes.
var wideArch = resnet.Arch{Name: "TinyResNet", Block: resnet.Bottleneck, Stages: []resnet.Stage{
	{Filters: []int{4, 4, 8}, Blocks: 2, Stride: 1},
	{Filters: []int{6, 6, 16}, Blocks: 1, Stride: 2},
}}

func init() {
	for name, a := range map[string]resnet.Arch{"tiny-test": tinyArch, "tiny-test-wide": wideArch} {
		if err := resnet.Register(name, a); err != nil {
			panic(err)
		}
	}
}

// tinyConfig is the fixtures' model: 16×16 grey images, six classes.
var tinyConfig = resnet.Config{Arch: "tiny-test", InputShape: [3]int{16, 16, 1}, Classes: 6, Seed: 3}

func build(t testing.TB, cfg resnet.Config) *ops.Graph {
	t.Helper()
	g, err := cfg.Build()
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// perturb overwrites every parameter with deterministic values unlike the
// initial ones: biases and BN shifts non-zero, gammas and moving variances
// positive and away from 1, so a parameter that fails to load shows.
func perturb(g *ops.Graph, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 99))
	for _, p := range g.Params() {
		for i := range p.Value {
			v := float32(rng.NormFloat64() * 0.3)
			if p.Name == "moving_variance" || p.Name == "gamma" {
				v = 0.5 + float32(rng.Float64())
			}
			p.Value[i] = v
		}
	}
}

// snapshot copies every parameter's values, by tensor name.
func snapshot(g *ops.Graph) map[string][]float32 {
	s := map[string][]float32{}
	for _, p := range g.Params() {
		s[TensorName(p)] = slices.Clone(p.Value)
	}
	return s
}

// sameBits reports whether two graphs hold bit-identical parameters.
func sameBits(t *testing.T, got, want *ops.Graph) {
	t.Helper()
	w := snapshot(want)
	g := snapshot(got)
	if len(g) != len(w) {
		t.Fatalf("%d parameters, want %d", len(g), len(w))
	}
	for name, wv := range w {
		gv := g[name]
		for i := range wv {
			if math.Float32bits(gv[i]) != math.Float32bits(wv[i]) {
				t.Fatalf("%s[%d] = %v, want %v", name, i, gv[i], wv[i])
			}
		}
	}
}

// unchanged fails when g's parameters differ from the snapshot before.
func unchanged(t *testing.T, g *ops.Graph, before map[string][]float32) {
	t.Helper()
	for name, v := range snapshot(g) {
		if !slices.Equal(v, before[name]) {
			t.Fatalf("%s changed: a failed load must assign nothing", name)
		}
	}
}

// testInput is a deterministic batch for cfg.
func testInput(cfg resnet.Config, batch int) *ops.Tensor {
	x := ops.NewTensor(batch, cfg.InputShape[0], cfg.InputShape[1], cfg.InputShape[2])
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range x.Data {
		x.Data[i] = float32(rng.Float64())
	}
	return x
}

func logits(t *testing.T, g *ops.Graph, x *ops.Tensor) []float32 {
	t.Helper()
	y, err := g.Logits(x, ops.Inference)
	if err != nil {
		t.Fatal(err)
	}
	return y.Data
}

// mustMarshal describes g as a model file does.
func mustMarshal(t testing.TB, g *ops.Graph) []byte {
	t.Helper()
	b, err := MarshalGraph(g)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
