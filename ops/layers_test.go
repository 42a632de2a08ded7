package ops

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// layerCase is one layer on inputs of the given per-sample shapes; reduce is
// the number of terms each output sums (for the tolerance).
type layerCase struct {
	layer  Layer
	in     []Shape
	reduce int
}

func mustConv(t *testing.T, rng *rand.Rand, cin int, cfg Conv2DConfig) *Conv2D {
	t.Helper()
	l, err := NewConv2D(cfg, cin, rng)
	if err != nil {
		t.Fatal(err)
	}
	if l.Bias != nil {
		fillRand(rng, l.Bias, -1, 1)
	}
	return l
}

func convCases(t *testing.T, rng *rand.Rand) []layerCase {
	var cases []layerCase
	for _, c := range []struct {
		h, w, cin int
		cfg       Conv2DConfig
	}{
		{7, 9, 3, Conv2DConfig{Filters: 5, KernelSize: [2]int{3, 3}, Padding: Same}},
		{7, 9, 3, Conv2DConfig{Filters: 5, KernelSize: [2]int{3, 3}, Padding: Valid}},
		{8, 7, 4, Conv2DConfig{Filters: 6, KernelSize: [2]int{3, 3}, Strides: [2]int{2, 2}, Padding: Same}},
		{9, 9, 2, Conv2DConfig{Filters: 3, KernelSize: [2]int{7, 7}, Strides: [2]int{2, 2}, Padding: Same}},
		{11, 10, 3, Conv2DConfig{Filters: 4, KernelSize: [2]int{7, 7}, Strides: [2]int{2, 2}, Padding: Valid}},
		{6, 8, 5, Conv2DConfig{Filters: 7, KernelSize: [2]int{2, 2}, Strides: [2]int{2, 2}, Padding: Same}},
		{5, 6, 3, Conv2DConfig{Filters: 4, KernelSize: [2]int{3, 2}, Strides: [2]int{2, 1}, Padding: Same, NoBias: true}},
		{5, 7, 9, Conv2DConfig{Filters: 6, KernelSize: [2]int{1, 1}}},                                       // input is A
		{9, 7, 6, Conv2DConfig{Filters: 5, KernelSize: [2]int{1, 1}, Strides: [2]int{2, 2}}},                // row gather
		{8, 8, 4, Conv2DConfig{Filters: 3, KernelSize: [2]int{1, 1}, Strides: [2]int{2, 2}, Padding: Same}}, // same = valid here
		{17, 17, 16, Conv2DConfig{Filters: 24, KernelSize: [2]int{3, 3}, Padding: Same}},                    // big enough for threads
	} {
		cfg := c.cfg
		cfg.Name = fmt.Sprintf("conv_%dx%dx%d_k%v_s%v_%v", c.h, c.w, c.cin, cfg.KernelSize, cfg.Strides, cfg.Padding)
		l := mustConv(t, rng, c.cin, cfg)
		cases = append(cases, layerCase{l, []Shape{{c.h, c.w, c.cin}}, cfg.KernelSize[0]*cfg.KernelSize[1]*c.cin + 1})
	}
	return cases
}

func otherCases(t *testing.T, rng *rand.Rand) []layerCase {
	pool := func(size, stride int, pad Padding) Pool2DConfig {
		return Pool2DConfig{Name: fmt.Sprintf("pool%d_s%d_%v", size, stride, pad), PoolSize: [2]int{size, size}, Strides: [2]int{stride, stride}, Padding: pad}
	}
	var cases []layerCase
	for _, cfg := range []Pool2DConfig{pool(3, 2, Valid), pool(3, 2, Same), pool(2, 2, Valid), pool(2, 1, Same), pool(3, 1, Same), {Name: "pool_default_strides", PoolSize: [2]int{2, 3}}} {
		mp, err := NewMaxPooling2D(cfg)
		if err != nil {
			t.Fatal(err)
		}
		ap, err := NewAveragePooling2D(cfg)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, layerCase{mp, []Shape{{7, 9, 3}}, 1}, layerCase{ap, []Shape{{8, 7, 5}}, 9})
	}
	dense := func(units int, act ActFunc, noBias bool, in Shape) layerCase {
		l, err := NewDense(DenseConfig{Name: fmt.Sprintf("dense_%d_%v", units, act), Units: units, Activation: act, NoBias: noBias}, in[len(in)-1], rng)
		if err != nil {
			t.Fatal(err)
		}
		if l.Bias != nil {
			fillRand(rng, l.Bias, -1, 1)
		}
		return layerCase{l, []Shape{in}, in[len(in)-1] + 1}
	}
	cases = append(cases,
		dense(6, Softmax, false, Shape{37}),
		dense(5, ReLU, false, Shape{20}),
		dense(9, Linear, true, Shape{3, 13}),
		layerCase{&ZeroPadding2D{Name: "zero_padding2d", Top: 3, Bottom: 3, Left: 3, Right: 3}, []Shape{{5, 6, 3}}, 1},
		layerCase{&ZeroPadding2D{Name: "zero_padding2d_asym", Top: 0, Bottom: 1, Left: 2, Right: 0}, []Shape{{4, 3, 2}}, 1},
		layerCase{&Activation{Name: "relu", Func: ReLU}, []Shape{{5, 4, 3}}, 1},
		layerCase{&Activation{Name: "softmax", Func: Softmax}, []Shape{{4, 7}}, 8},
		layerCase{&Activation{Name: "linear", Func: Linear}, []Shape{{3}}, 1},
		layerCase{&Add{Name: "add2"}, []Shape{{3, 5, 4}, {3, 5, 4}}, 2},
		layerCase{&Add{Name: "add3"}, []Shape{{6}, {6}, {6}}, 3},
		layerCase{&GlobalAveragePooling2D{Name: "gap"}, []Shape{{5, 3, 7}}, 15},
		layerCase{&GlobalMaxPooling2D{Name: "gmp"}, []Shape{{5, 3, 7}}, 1},
		layerCase{&Flatten{Name: "flatten"}, []Shape{{2, 3, 4}}, 1},
		layerCase{&Input{Name: "input", Shape: Shape{4, 4, 2}}, []Shape{{4, 4, 2}}, 1},
	)
	for _, c := range []int{1, 3, 8} {
		bn, err := NewBatchNormalization(BatchNormConfig{Name: fmt.Sprintf("bn%d", c), Axis: 3}, c)
		if err != nil {
			t.Fatal(err)
		}
		fillRand(rng, bn.Gamma, 0.5, 2)
		fillRand(rng, bn.Beta, -1, 1)
		fillRand(rng, bn.MovingMean, -1, 1)
		fillRand(rng, bn.MovingVariance, 0.1, 2)
		cases = append(cases, layerCase{bn, []Shape{{5, 3, c}}, 4})
	}
	return cases
}

// TestForwardMatchesReference runs every layer's fast Forward against its
// ForwardRef on batches of 1 and 3.
func TestForwardMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	checkAgainstReference(t, rng, append(convCases(t, rng), otherCases(t, rng)...), 1)
}

// checkAgainstReference runs each case's Forward against its ForwardRef on
// batches of 1 and 3, with inputs uniform in [-spread, spread).
func checkAgainstReference(t *testing.T, rng *rand.Rand, cases []layerCase, spread float32) {
	t.Helper()
	for _, c := range cases {
		for _, batch := range []int{1, 3} {
			t.Run(fmt.Sprintf("%s/batch%d", c.layer.LayerName(), batch), func(t *testing.T) {
				var in []*Tensor
				for _, s := range c.in {
					x := randTensor(rng, append([]int{batch}, s...)...)
					for i := range x.Data {
						x.Data[i] *= spread
					}
					in = append(in, x)
				}
				want, err := newOutput(c.layer, in)
				if err != nil {
					t.Fatal(err)
				}
				got := randTensor(rng, want.Shape...) // stale values must be overwritten
				if err := c.layer.ForwardRef(want, in, Inference); err != nil {
					t.Fatal(err)
				}
				if err := c.layer.Forward(got, in, Inference); err != nil {
					t.Fatal(err)
				}
				assertClose(t, "Forward", got.Data, want.Data, c.reduce)
			})
		}
	}
}

func TestLayerParamsInKerasOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	conv := mustConv(t, rng, 3, Conv2DConfig{Name: "c", Filters: 4, KernelSize: [2]int{3, 2}})
	bn, _ := NewBatchNormalization(BatchNormConfig{Name: "b"}, 4)
	dense, _ := NewDense(DenseConfig{Name: "d", Units: 6}, 10, rng)
	noBias := mustConv(t, rng, 3, Conv2DConfig{Name: "n", Filters: 4, KernelSize: [2]int{1, 1}, NoBias: true})
	for _, c := range []struct {
		l    Layer
		want string
	}{
		{conv, "kernel(3, 2, 3, 4)T bias(4,)T"},
		{bn, "gamma(4,)T beta(4,)T moving_mean(4,)F moving_variance(4,)F"},
		{dense, "kernel(10, 6)T bias(6,)T"},
		{noBias, "kernel(1, 1, 3, 4)T"},
	} {
		var parts []string
		for _, p := range c.l.Params() {
			tr := "F"
			if p.Trainable {
				tr = "T"
			}
			parts = append(parts, p.Name+p.Shape.String()+tr)
			if len(p.Value) != p.Shape.Len() {
				t.Errorf("%s/%s: %d values for shape %v", c.l.LayerName(), p.Name, len(p.Value), p.Shape)
			}
		}
		if got := strings.Join(parts, " "); got != c.want {
			t.Errorf("%s params: %s, want %s", c.l.LayerName(), got, c.want)
		}
	}
	for i, v := range bn.Gamma.Value {
		if v != 1 || bn.Beta.Value[i] != 0 || bn.MovingMean.Value[i] != 0 || bn.MovingVariance.Value[i] != 1 {
			t.Fatalf("BN initial values at %d: gamma %v beta %v mean %v var %v", i, v, bn.Beta.Value[i], bn.MovingMean.Value[i], bn.MovingVariance.Value[i])
		}
	}
	if bn.Epsilon != 1e-3 || bn.Momentum != 0.99 || bn.Axis != -1 {
		t.Errorf("BN defaults: epsilon %v momentum %v axis %d", bn.Epsilon, bn.Momentum, bn.Axis)
	}
}
