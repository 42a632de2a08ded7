package ops

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

func mustDepthwise(t *testing.T, rng *rand.Rand, cin int, cfg DepthwiseConv2DConfig) *DepthwiseConv2D {
	t.Helper()
	l, err := NewDepthwiseConv2D(cfg, cin, rng)
	if err != nil {
		t.Fatal(err)
	}
	if l.Bias != nil {
		fillRand(rng, l.Bias, -1, 1)
	}
	return l
}

func depthwiseCases(t *testing.T, rng *rand.Rand) []layerCase {
	var cases []layerCase
	for _, c := range []struct {
		h, w, cin int
		cfg       DepthwiseConv2DConfig
	}{
		{7, 9, 5, DepthwiseConv2DConfig{KernelSize: [2]int{3, 3}, Padding: Same}},
		{7, 9, 5, DepthwiseConv2DConfig{KernelSize: [2]int{3, 3}, Padding: Valid}},
		{8, 7, 3, DepthwiseConv2DConfig{KernelSize: [2]int{3, 3}, Strides: [2]int{2, 2}, Padding: Same}},
		{9, 9, 3, DepthwiseConv2DConfig{KernelSize: [2]int{3, 3}, Strides: [2]int{2, 2}, Padding: Valid, NoBias: true}},
		{9, 11, 4, DepthwiseConv2DConfig{KernelSize: [2]int{5, 5}, Strides: [2]int{2, 2}, Padding: Same, Activation: ReLU6}},
		{7, 8, 3, DepthwiseConv2DConfig{KernelSize: [2]int{3, 3}, DepthMultiplier: 2, Padding: Same}},
		{9, 7, 3, DepthwiseConv2DConfig{KernelSize: [2]int{3, 3}, DepthMultiplier: 2, Strides: [2]int{2, 2}, Padding: Valid}},
		{9, 9, 4, DepthwiseConv2DConfig{KernelSize: [2]int{3, 3}, DilationRate: [2]int{2, 2}, Padding: Same}},
		{11, 9, 2, DepthwiseConv2DConfig{KernelSize: [2]int{3, 3}, DilationRate: [2]int{2, 2}, Padding: Valid, DepthMultiplier: 3}},
		{9, 10, 3, DepthwiseConv2DConfig{KernelSize: [2]int{3, 3}, DilationRate: [2]int{2, 2}, Strides: [2]int{2, 2}, Padding: Same}},
		{6, 5, 3, DepthwiseConv2DConfig{KernelSize: [2]int{2, 3}, Strides: [2]int{1, 2}, Padding: Same, Activation: HardSwish}},
		{17, 17, 32, DepthwiseConv2DConfig{KernelSize: [2]int{3, 3}, Padding: Same, Activation: ReLU}}, // threads
	} {
		cfg := c.cfg
		cfg.Name = fmt.Sprintf("dw_%dx%dx%d_k%v_s%v_d%v_m%d_%v", c.h, c.w, c.cin, cfg.KernelSize, cfg.Strides, cfg.DilationRate, cfg.DepthMultiplier, cfg.Padding)
		l := mustDepthwise(t, rng, c.cin, cfg)
		cases = append(cases, layerCase{layer: l, in: []Shape{{c.h, c.w, c.cin}}, reduce: cfg.KernelSize[0]*cfg.KernelSize[1] + 1})
	}
	return cases
}

func activationCases(t *testing.T) []layerCase {
	var cases []layerCase
	for f := Linear; f.valid(); f++ {
		cases = append(cases, layerCase{layer: &Activation{Name: "act_" + f.String(), Func: f}, in: []Shape{{5, 3, 7}}, reduce: 8})
	}
	relu := func(cfg ReLUConfig) Layer {
		l, err := NewReLU(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	for _, l := range []Layer{
		relu(ReLUConfig{Name: "re_lu"}),
		relu(ReLU6Config("relu6")),
		relu(ReLUConfig{Name: "relu_max2_slope", MaxValue: 2, HasMaxValue: true, NegativeSlope: 0.1}),
		relu(ReLUConfig{Name: "relu_threshold", Threshold: 1.5, NegativeSlope: 0.25}),
		relu(ReLUConfig{Name: "relu_leaky_0.2", NegativeSlope: LeakyReLUSlope}),
		relu(ReLUConfig{Name: "relu_max0", HasMaxValue: true}),
		&LeakyReLULayer{Name: "leaky_re_lu", NegativeSlope: DefaultLeakyReLUSlope},
	} {
		cases = append(cases, layerCase{layer: l, in: []Shape{{4, 5, 3}}, reduce: 1})
	}
	return cases
}

func TestCNNLayersMatchReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	checkAgainstReference(t, rng, depthwiseCases(t, rng), 1)
	// Wide inputs reach every piece of the piecewise functions.
	checkAgainstReference(t, rng, activationCases(t), 8)
}

func TestParseActFuncRoundTrips(t *testing.T) {
	for f := Linear; f.valid(); f++ {
		got, err := ParseActFunc(f.String())
		if err != nil || got != f {
			t.Errorf("ParseActFunc(%q) = %v, %v", f.String(), got, err)
		}
	}
	for alias, want := range map[string]ActFunc{"silu": Swish, "hard_silu": HardSwish} {
		if got, err := ParseActFunc(alias); err != nil || got != want {
			t.Errorf("ParseActFunc(%q) = %v, %v; want %v", alias, got, err, want)
		}
	}
	if _, err := ParseActFunc("selu_typo"); err == nil {
		t.Error("an unknown name parsed")
	}
}

// TestDenseActivations checks that Dense applies every activation= value,
// not only the ReLU its gemm epilogue fuses.
func TestDenseActivations(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	var cases []layerCase
	for f := Linear; f.valid(); f++ {
		l, err := NewDense(DenseConfig{Name: "dense_" + f.String(), Units: 6, Activation: f}, 9, rng)
		if err != nil {
			t.Fatal(err)
		}
		fillRand(rng, l.Bias, -1, 1)
		cases = append(cases, layerCase{l, []Shape{{9}}, 10})
	}
	checkAgainstReference(t, rng, cases, 3)
}
