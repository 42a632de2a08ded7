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

func denseActivationCases(t *testing.T, rng *rand.Rand) []layerCase {
	var cases []layerCase
	for f := Linear; f.valid(); f++ {
		l, err := NewDense(DenseConfig{Name: "dense_" + f.String(), Units: 6, Activation: f}, 9, rng)
		if err != nil {
			t.Fatal(err)
		}
		fillRand(rng, l.Bias, -1, 1)
		cases = append(cases, layerCase{l, []Shape{{9}}, 10})
	}
	return cases
}

// TestDenseActivations checks that Dense applies every activation= value,
// not only the ReLU its gemm epilogue fuses.
func TestDenseActivations(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	checkAgainstReference(t, rng, denseActivationCases(t, rng), 3)
}

func groupedConvCases(t *testing.T, rng *rand.Rand) []layerCase {
	var cases []layerCase
	for _, c := range []struct {
		h, w, cin int
		cfg       Conv2DConfig
	}{
		{7, 9, 6, Conv2DConfig{Filters: 4, KernelSize: [2]int{3, 3}, Groups: 2, Padding: Same}},
		{7, 9, 8, Conv2DConfig{Filters: 12, KernelSize: [2]int{3, 3}, Groups: 4, Strides: [2]int{2, 2}, Padding: Same}},
		{9, 7, 8, Conv2DConfig{Filters: 8, KernelSize: [2]int{3, 3}, Groups: 4, Strides: [2]int{2, 2}, Padding: Valid, NoBias: true}},
		{5, 7, 64, Conv2DConfig{Filters: 64, KernelSize: [2]int{3, 3}, Groups: 32, Padding: Same, Activation: ReLU}},
		{5, 5, 32, Conv2DConfig{Filters: 96, KernelSize: [2]int{1, 1}, Groups: 32}},                                 // pointwise, in place
		{7, 5, 12, Conv2DConfig{Filters: 6, KernelSize: [2]int{1, 1}, Groups: 3, Strides: [2]int{2, 2}}},            // pointwise, strided
		{9, 9, 3, Conv2DConfig{Filters: 5, KernelSize: [2]int{3, 3}, DilationRate: [2]int{2, 2}, Padding: Same}},    // dilation
		{11, 10, 4, Conv2DConfig{Filters: 3, KernelSize: [2]int{3, 3}, DilationRate: [2]int{2, 2}, Padding: Valid}}, // dilation, valid
		{9, 11, 4, Conv2DConfig{Filters: 6, KernelSize: [2]int{3, 3}, DilationRate: [2]int{2, 2}, Strides: [2]int{2, 2}, Groups: 2, Padding: Same, Activation: Swish}},
		{7, 8, 3, Conv2DConfig{Filters: 4, KernelSize: [2]int{3, 3}, Padding: Same, Activation: ReLU6}},                 // plain with activation
		{17, 17, 16, Conv2DConfig{Filters: 32, KernelSize: [2]int{3, 3}, Groups: 4, Padding: Same, Activation: GELU}},   // several blocks
		{40, 40, 64, Conv2DConfig{Filters: 64, KernelSize: [2]int{3, 3}, Groups: 2, Padding: Same, Activation: Linear}}, // blocks over threads
	} {
		cfg := c.cfg
		cfg.Name = fmt.Sprintf("gconv_%dx%dx%d_f%d_k%v_s%v_d%v_g%d_%v", c.h, c.w, c.cin, cfg.Filters, cfg.KernelSize, cfg.Strides, cfg.DilationRate, cfg.Groups, cfg.Padding)
		l := mustConv(t, rng, c.cin, cfg)
		cases = append(cases, layerCase{l, []Shape{{c.h, c.w, c.cin}}, cfg.KernelSize[0]*cfg.KernelSize[1]*c.cin/max(cfg.Groups, 1) + 1})
	}
	return cases
}

func TestGroupedConvMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(25, 26))
	checkAgainstReference(t, rng, groupedConvCases(t, rng), 1)
}

func separableCases(t *testing.T, rng *rand.Rand) []layerCase {
	var cases []layerCase
	for _, c := range []struct {
		h, w, cin int
		cfg       SeparableConv2DConfig
	}{
		{7, 9, 3, SeparableConv2DConfig{Filters: 5, KernelSize: [2]int{3, 3}, Padding: Same}},
		{9, 8, 4, SeparableConv2DConfig{Filters: 6, KernelSize: [2]int{3, 3}, Strides: [2]int{2, 2}, DepthMultiplier: 2, Activation: ReLU}},
		{9, 9, 3, SeparableConv2DConfig{Filters: 4, KernelSize: [2]int{3, 3}, DilationRate: [2]int{2, 2}, Padding: Same, NoBias: true, Activation: Tanh}},
	} {
		cfg := c.cfg
		cfg.Name = fmt.Sprintf("sep_%dx%dx%d_f%d_s%v_d%v_m%d", c.h, c.w, c.cin, cfg.Filters, cfg.Strides, cfg.DilationRate, cfg.DepthMultiplier)
		l, err := NewSeparableConv2D(cfg, c.cin, rng)
		if err != nil {
			t.Fatal(err)
		}
		if l.Pointwise.Bias != nil {
			fillRand(rng, l.Pointwise.Bias, -1, 1)
		}
		cases = append(cases, layerCase{l, []Shape{{c.h, c.w, c.cin}}, 9 + c.cin*max(cfg.DepthMultiplier, 1) + 1})
	}
	return cases
}

func TestSeparableConvMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(27, 28))
	cases := separableCases(t, rng)
	checkAgainstReference(t, rng, cases, 1)
	l := cases[1].layer
	var names []string
	for _, p := range l.Params() {
		names = append(names, p.Name+p.Shape.String())
	}
	if got, want := fmt.Sprint(names), "[depthwise_kernel(3, 3, 4, 2) pointwise_kernel(1, 1, 8, 6) bias(6,)]"; got != want {
		t.Errorf("params %s, want %s", got, want)
	}
}

// allReferenceCases is every layer case of the package's tests: the
// reference comparisons and the config round trip share it.
func allReferenceCases(t *testing.T, rng *rand.Rand) []layerCase {
	var cases []layerCase
	for _, f := range []func(*testing.T, *rand.Rand) []layerCase{
		convCases, otherCases, depthwiseCases, groupedConvCases, separableCases, denseActivationCases, structureCases,
	} {
		cases = append(cases, f(t, rng)...)
	}
	spatial, err := NewSpatialDropout2D("spatial_dropout2d", 0.3, 5)
	if err != nil {
		t.Fatal(err)
	}
	cases = append(cases, layerCase{spatial, []Shape{{3, 3, 4}}, 1})
	return append(append(cases, activationCases(t)...), poolVariantCases(t)...)
}
