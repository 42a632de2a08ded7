package ops

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// specFor returns the spec that rebuilds l from its config as a model file
// would: through JSON.
func specFor(t *testing.T, l Layer, in []Shape) *LayerSpec {
	t.Helper()
	class, cfg, err := LayerConfigOf(l)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewLayerSpec(class, l.LayerName(), raw, in, -1)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestEveryLayerRoundTrips rebuilds every layer of the reference cases
// (layers_test.go: a new layer is added there) from its Keras config and
// checks that the copy has the same config, the same parameter shapes and,
// given the same weights, the same outputs bit for bit; and that every
// registered class is among the cases.
func TestEveryLayerRoundTrips(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	covered := map[string]bool{}
	for _, c := range allReferenceCases(t, rng) {
		t.Run(c.layer.LayerName(), func(t *testing.T) {
			covered[c.layer.Class()] = true
			in := c.in
			if _, ok := c.layer.(*Input); ok {
				in = nil
			}
			// With a budget of exactly the layer's own parameters, as a
			// model file storing them gives: a builder that reserves a
			// parameter the config leaves out (a bias with use_bias=False)
			// refuses its own file.
			spec := specFor(t, c.layer, in)
			spec.budget = 0
			for _, p := range c.layer.Params() {
				spec.budget += p.Len()
			}
			copyLayer, err := BuildLayer(spec)
			if err != nil {
				t.Fatal(err)
			}
			_, want, _ := LayerConfigOf(c.layer)
			_, got, err := LayerConfigOf(copyLayer)
			if err != nil {
				t.Fatal(err)
			}
			wj, _ := json.Marshal(want)
			gj, _ := json.Marshal(got)
			if string(wj) != string(gj) {
				t.Fatalf("config after the round trip:\n got %s\nwant %s", gj, wj)
			}
			ps, qs := c.layer.Params(), copyLayer.Params()
			if len(ps) != len(qs) {
				t.Fatalf("%d params, want %d", len(qs), len(ps))
			}
			for i := range ps {
				if ps[i].Name != qs[i].Name || !ps[i].Shape.Equal(qs[i].Shape) || ps[i].Trainable != qs[i].Trainable {
					t.Fatalf("param %d is %s %v, want %s %v", i, qs[i].Name, qs[i].Shape, ps[i].Name, ps[i].Shape)
				}
				copy(qs[i].Value, ps[i].Value)
			}
			var xs []*Tensor
			for _, s := range c.in {
				xs = append(xs, randTensor(rng, append([]int{2}, s...)...))
			}
			a, err := Apply(c.layer, Inference, xs...)
			if err != nil {
				t.Fatal(err)
			}
			b, err := Apply(copyLayer, Inference, xs...)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(a.Data, b.Data) {
				t.Fatal("the rebuilt layer computes something else")
			}
		})
	}
	for _, class := range RegisteredLayers() {
		if !covered[class] {
			t.Errorf("registered class %s has no case in layers_test.go", class)
		}
	}
}

// TestBadLayerConfigs checks that configs that cannot work give errors
// naming the layer and what is wrong.
func TestBadLayerConfigs(t *testing.T) {
	img := []Shape{{8, 8, 3}}
	for _, c := range []struct {
		class, config string
		in            []Shape
		want          string
	}{
		{"Frobnicate", `{}`, img, "unknown layer class"},
		{"Conv2D", `{"kernel_size": 3}`, img, `no "filters"`},
		{"Conv2D", `{"filters": "64", "kernel_size": 3}`, img, `filters = "64", want an integer`},
		{"Conv2D", `{"filters": 4, "kernel_size": [3, 3, 3]}`, img, "kernel_size"},
		{"Conv2D", `{"filters": 4, "kernel_size": 3, "strides": 0}`, img, "strides"},
		{"Conv2D", `{"filters": 4, "kernel_size": 3, "padding": "full"}`, img, "padding"},
		{"Conv2D", `{"filters": 4, "kernel_size": 3, "data_format": "channels_first"}`, img, "channels_first"},
		{"Conv2D", `{"filters": 4, "kernel_size": 3, "activation": "softmax"}`, img, "activation"},
		{"Conv2D", `{"filters": 4, "kernel_size": 3}`, []Shape{{8}}, "input shape"},
		{"Conv2D", `{"filters": 4, "kernel_size": 3}`, nil, "0 inputs"},
		{"Conv2D", `{"filters": 1e30, "kernel_size": 3}`, img, "filters"},
		{"Conv2D", `{"filters": 4294967296, "kernel_size": 3}`, img, "out of range"},
		{"Conv2D", `[1, 2]`, img, "not a JSON object"},
		{"Dense", `{"units": 3, "activation": "swishy"}`, []Shape{{5}}, "swishy"},
		{"Dense", `{"units": -3}`, []Shape{{5}}, "units"},
		{"Dense", `{"units": 3, "use_bias": 1}`, []Shape{{5}}, "use_bias"},
		{"BatchNormalization", `{"axis": 1}`, img, "axis"},
		{"BatchNormalization", `{"epsilon": -1}`, img, "epsilon"},
		{"BatchNormalization", `{"center": false}`, img, "center"},
		{"Activation", `{}`, img, `no "activation"`},
		{"Add", `{}`, img, "at least 2"},
		{"MaxPooling2D", `{"pool_size": [0, 2]}`, img, "pool"},
		{"ZeroPadding2D", `{"padding": [[1, -1], [0, 0]]}`, img, "negative"},
		{"InputLayer", `{"batch_input_shape": [null, null, 3]}`, nil, "unknown"},
		{"InputLayer", `{}`, nil, "batch_input_shape"},
		{"GlobalAveragePooling2D", `{"keepdims": 1}`, img, "keepdims"},
	} {
		t.Run(c.class+c.config, func(t *testing.T) {
			s, err := NewLayerSpec(c.class, "the_layer", json.RawMessage(c.config), c.in, -1)
			if err == nil {
				_, err = BuildLayer(s)
			}
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), `"the_layer"`) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q does not name the layer and %q", err, c.want)
			}
		})
	}
}

// TestReserveBoundsParameters checks that a config asking for more
// parameter values than allowed fails before anything is allocated.
func TestReserveBoundsParameters(t *testing.T) {
	s, err := NewLayerSpec("Dense", "fc", json.RawMessage(`{"units": 2000000000}`), []Shape{{1 << 20}}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	_, err = BuildLayer(s)
	if err == nil || !strings.Contains(err.Error(), "more than the 1000 allowed") {
		t.Fatalf("error %v, want a refusal of the size", err)
	}
	s, _ = NewLayerSpec("Dense", "fc", json.RawMessage(`{"units": 10}`), []Shape{{99}}, 1000)
	if _, err := BuildLayer(s); err != nil {
		t.Fatalf("990+10 values within 1000: %v", err)
	}
	s, _ = NewLayerSpec("Conv2D", "c", json.RawMessage(`{"filters": 8, "kernel_size": 1, "use_bias": false}`), []Shape{{4, 4, 8}}, 64)
	if _, err := BuildLayer(s); err != nil {
		t.Fatalf("a 64-value kernel without bias within 64: %v", err)
	}
}

// FuzzLayerConfig feeds arbitrary configs to every registered builder:
// errors are fine, panics and huge allocations are not (the budget is
// small, as a model file's would be).
func FuzzLayerConfig(f *testing.F) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, c := range allReferenceCases(&testing.T{}, rng) {
		class, cfg, err := LayerConfigOf(c.layer)
		if err != nil {
			continue
		}
		raw, _ := json.Marshal(cfg)
		f.Add(class, string(raw), 3)
	}
	f.Add("Conv2D", `{"filters": 8, "kernel_size": [3, 3], "strides": 2, "padding": "same"}`, 3)
	f.Fuzz(func(t *testing.T, class, config string, rank int) {
		in := []Shape{{6, 5, 4}}
		if rank >= 0 && rank < 3 {
			in = []Shape{Shape{6, 5, 4}[:rank+1]}
		}
		s, err := NewLayerSpec(class, "fuzzed", json.RawMessage(config), in, 1<<16)
		if err != nil {
			return
		}
		l, err := BuildLayer(s)
		if err != nil {
			if strings.Contains(err.Error(), "building from the config failed") {
				t.Fatalf("%s: the builder panicked: %v", class, err) // BuildLayer's safety net must stay unused
			}
			if !strings.Contains(err.Error(), `"fuzzed"`) {
				t.Fatalf("error %q does not name the layer", err)
			}
			return
		}
		for _, p := range l.Params() {
			if p.Len() > 1<<16 {
				t.Fatalf("%s: param %s has %d values beyond the budget", class, p.Name, p.Len())
			}
		}
		if _, err := l.OutputShape(in...); err != nil && !strings.Contains(err.Error(), "fuzzed") {
			t.Fatal(fmt.Errorf("unnamed error: %w", err))
		}
	})
}
