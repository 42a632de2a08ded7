package weights

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/resnet"
	"github.com/simdnet/simdnet/weights/safetensors"
)

// kerasExpected is testdata/keras_expected.json, written with the HDF5
// fixtures by make_keras_fixtures.py.
type kerasExpected struct {
	InputShape    []int                `json:"input_shape"`
	Input         []float32            `json:"input"`
	Logits        []float64            `json:"logits"`
	Probabilities []float64            `json:"probabilities"`
	LayerNames    []string             `json:"layer_names"`
	Weights       map[string][]int     `json:"weights"`
	Split         map[string][]float32 `json:"split"`
}

func loadExpected(t *testing.T) *kerasExpected {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "keras_expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var e kerasExpected
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatal(err)
	}
	return &e
}

// fixtureConfig is the model the Keras fixtures hold.
var fixtureConfig = resnet.Config{Arch: "tiny-test", InputShape: [3]int{16, 16, 1}, Classes: 6}

// closeTo checks got against numpy's float64 values, relative to the
// largest magnitude: float32 arithmetic through a dozen layers.
func closeTo(t *testing.T, what string, got []float32, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	scale := 0.0
	for _, w := range want {
		scale = max(scale, math.Abs(w))
	}
	for i, w := range want {
		if d := math.Abs(float64(got[i]) - w); d > tol*scale {
			t.Errorf("%s[%d] = %v, want %v (off by %.2g of %.2g)", what, i, got[i], w, d/scale, tol)
		}
	}
}

// checkFixtureOutputs runs g on the fixture's input and compares with
// numpy's logits and probabilities, by the fast and the reference path.
func checkFixtureOutputs(t *testing.T, g *ops.Graph, e *kerasExpected) {
	t.Helper()
	x, err := ops.FromSlice(e.Input, e.InputShape...)
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range []bool{false, true} {
		for _, lg := range []bool{true, false} {
			vals, err := g.Run(x, ops.RunOptions{Logits: lg, Reference: ref})
			if err != nil {
				t.Fatal(err)
			}
			out := vals[g.OutputNode().ID].Data
			if lg {
				closeTo(t, "logits", out, e.Logits, 1e-5)
			} else {
				closeTo(t, "probabilities", out, e.Probabilities, 1e-5)
			}
		}
	}
}

// TestImportKeras loads both Keras layouts, and a TensorFlow 2 file with
// automatic layer names, into the tutorial-named model and checks it
// computes what numpy computed from the same weights.
func TestImportKeras(t *testing.T) {
	e := loadExpected(t)
	for _, file := range []string{"keras_model.h5", "keras_weights.h5", "keras_tf2.h5"} {
		t.Run(file, func(t *testing.T) {
			g := build(t, fixtureConfig)
			if err := ImportKeras(filepath.Join("testdata", file), g); err != nil {
				t.Fatal(err)
			}
			checkFixtureOutputs(t, g, e)
		})
	}
}

// TestKerasFile checks what OpenKeras reports: the layer order (which is
// Keras's Model.layers order, and so must be ops's too), the weight names
// and shapes, and the informational attributes.
func TestKerasFile(t *testing.T) {
	e := loadExpected(t)
	var order []string
	for _, l := range build(t, fixtureConfig).Layers() {
		order = append(order, l.LayerName())
	}
	if !slices.Equal(order, e.LayerNames) {
		t.Errorf("ops layer order %v\nKeras's %v", order, e.LayerNames)
	}
	for _, c := range []struct {
		file   string
		config bool
	}{{"keras_model.h5", true}, {"keras_weights.h5", false}} {
		k, err := OpenKeras(filepath.Join("testdata", c.file))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		shapes := map[string][]int{}
		for _, l := range k.Layers {
			names = append(names, l.Name)
			for _, w := range l.Weights {
				if w.Name != w.Tensor+":0" {
					t.Errorf("weight %q is tensor %q", w.Name, w.Tensor)
				}
				shapes[w.Tensor] = w.Shape
			}
		}
		if !slices.Equal(names, e.LayerNames) {
			t.Errorf("%s: layers %v", c.file, names)
		}
		if !reflect.DeepEqual(shapes, e.Weights) {
			t.Errorf("%s: weights %v\nwant %v", c.file, shapes, e.Weights)
		}
		if k.KerasVersion != "2.2.4" || k.Backend != "tensorflow" || (k.ModelConfig != "") != c.config {
			t.Errorf("%s: version %q backend %q config %d bytes", c.file, k.KerasVersion, k.Backend, len(k.ModelConfig))
		}
		k.Close()
	}
}

// TestKerasSplitAttributes reads a file whose layer_names and weight_names
// Keras split into numbered chunks, and which lacks keras_version and
// backend, into a graph built by hand.
func TestKerasSplitAttributes(t *testing.T) {
	e := loadExpected(t)
	k, err := OpenKeras(filepath.Join("testdata", "keras_split.h5"))
	if err != nil {
		t.Fatal(err)
	}
	if len(k.Layers) != 2 || k.Layers[1].Name != "dense_1" || len(k.Layers[1].Weights) != 2 || k.KerasVersion != "" || k.Backend != "" {
		t.Errorf("layers %+v, version %q, backend %q", k.Layers, k.KerasVersion, k.Backend)
	}
	k.Close()
	g := ops.NewGraph(0)
	x := g.Input("", 2)
	g.SetOutput(g.Dense(x, ops.DenseConfig{Name: "dense_1", Units: 3, Activation: ops.Softmax}))
	if err := g.Build(); err != nil {
		t.Fatal(err)
	}
	if err := ImportKeras(filepath.Join("testdata", "keras_split.h5"), g); err != nil {
		t.Fatal(err)
	}
	d := g.Layer("dense_1").(*ops.Dense)
	if !slices.Equal(d.Kernel.Value, e.Split["dense_1/kernel"]) || !slices.Equal(d.Bias.Value, e.Split["dense_1/bias"]) {
		t.Errorf("dense_1 = %v, %v; want %v, %v", d.Kernel.Value, d.Bias.Value, e.Split["dense_1/kernel"], e.Split["dense_1/bias"])
	}
}

// TestImportKerasMismatch imports the fixture into a model of another
// architecture: every misfit is listed and nothing is assigned.
func TestImportKerasMismatch(t *testing.T) {
	wide := fixtureConfig
	wide.Arch = "tiny-test-wide"
	g := build(t, wide)
	before := snapshot(g)
	path := filepath.Join("testdata", "keras_weights.h5")
	err := ImportKeras(path, g)
	if err == nil || !strings.HasPrefix(err.Error(), "weights: "+path+" does not match TinyResNet: res3a_branch2a/kernel has shape [1 1 8 8], want [1 1 8 6]; ") {
		t.Fatalf("error %v", err)
	}
	if n := strings.Count(err.Error(), "has shape"); n != 13 {
		t.Errorf("%d shape mismatches listed, want 13: %v", n, err)
	}
	unchanged(t, g, before)
}

// TestInferConfig completes configurations from the files: all of it from
// model.save's model_config and weights, the classes only from
// save_weights, which does not record the input shape.
func TestInferConfig(t *testing.T) {
	for _, file := range []string{"keras_model.h5", "keras_tf2.h5"} {
		k, err := OpenKeras(filepath.Join("testdata", file))
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := k.InferConfig(resnet.Config{Seed: 9})
		if want := (resnet.Config{Arch: "tiny-test", InputShape: [3]int{16, 16, 1}, Classes: 6, Seed: 9}); err != nil || cfg != want {
			t.Errorf("%s: config %+v, %v; want %+v", file, cfg, err, want)
		}
		k.Close()
	}

	w, err := OpenKeras(filepath.Join("testdata", "keras_weights.h5"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.InferConfig(resnet.Config{}); err == nil || !strings.Contains(err.Error(), "input shape") {
		t.Errorf("error %v, want a request for the input shape", err)
	}
	cfg, err := w.InferConfig(resnet.Config{InputShape: [3]int{16, 16, 1}})
	if err != nil || cfg != fixtureConfig {
		t.Errorf("config %+v, %v", cfg, err)
	}
	// Fitting neither architecture of its depth, the weights name none.
	_, err = w.InferConfig(resnet.Config{InputShape: [3]int{16, 16, 1}, Classes: 5})
	if err == nil || !strings.Contains(err.Error(), "fit none of the architectures with 13 kernels (tiny-test, tiny-test-wide)") {
		t.Errorf("error %v", err)
	}
}

// TestConvertKeras converts model.save's file with nothing but class names
// given and loads the result: the same outputs as numpy's, the provenance
// in the metadata; F16 halves the data.
func TestConvertKeras(t *testing.T) {
	e := loadExpected(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "signs.safetensors")
	if err := ConvertKerasToSafetensors(filepath.Join("testdata", "keras_model.h5"), out, resnet.Config{}, signNames); err != nil {
		t.Fatal(err)
	}
	m, err := Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if m.Config != fixtureConfig || !slices.Equal(m.Classes, signNames) {
		t.Errorf("config %+v classes %q", m.Config, m.Classes)
	}
	if want := map[string]string{"keras_source": "keras_model.h5", "keras_version": "2.2.4", "keras_backend": "tensorflow"}; !reflect.DeepEqual(m.Meta, want) {
		t.Errorf("meta %v", m.Meta)
	}
	checkFixtureOutputs(t, m.Graph, e)

	tf2 := filepath.Join(dir, "tf2.safetensors")
	if err := ConvertKerasToSafetensors(filepath.Join("testdata", "keras_tf2.h5"), tf2, resnet.Config{}, nil); err != nil {
		t.Fatal(err)
	}
	if m, err = Load(tf2); err != nil || m.Config != fixtureConfig || m.Meta["keras_version"] != "2.4.0" {
		t.Fatalf("%v: %+v %v", err, m.Config, m.Meta)
	}
	checkFixtureOutputs(t, m.Graph, e)

	half := filepath.Join(dir, "half.safetensors")
	if err := ConvertKerasToSafetensors(filepath.Join("testdata", "keras_weights.h5"), half,
		resnet.Config{Arch: "tiny-test", InputShape: [3]int{16, 16, 1}}, nil, WithDtype(safetensors.F16)); err != nil {
		t.Fatal(err)
	}
	if dataSize(t, half)*2 != dataSize(t, out) {
		t.Errorf("F16 data %d bytes, F32 %d", dataSize(t, half), dataSize(t, out))
	}

	// A mismatch writes nothing.
	bad := filepath.Join(dir, "bad.safetensors")
	err = ConvertKerasToSafetensors(filepath.Join("testdata", "keras_model.h5"), bad, resnet.Config{Arch: "tiny-test-wide"}, nil)
	if err == nil || !strings.Contains(err.Error(), "does not match tiny-test-wide") {
		t.Errorf("error %v", err)
	}
	if _, err := os.Stat(bad); !os.IsNotExist(err) {
		t.Error("a failed conversion wrote a file")
	}
}

// TestKerasByOrder checks the positional matching's own failures: layer
// counts that differ, a paired layer with other weights, and shapes, which
// Assign lists by the model's names.
func TestKerasByOrder(t *testing.T) {
	g := build(t, fixtureConfig)
	before := snapshot(g)
	split := filepath.Join("testdata", "keras_split.h5")
	err := ImportKeras(split, g)
	if err == nil || err.Error() != "weights: "+split+": 1 layers with weights, the model has 25" {
		t.Errorf("error %v", err)
	}
	unchanged(t, g, before)

	h := ops.NewGraph(0)
	h.SetOutput(h.Dense(h.Input("", 2), ops.DenseConfig{Name: "fc", Units: 3, NoBias: true}))
	err = ImportKeras(split, h)
	if err == nil || !strings.Contains(err.Error(), `layer 1 with weights, "dense_1", has 2 of them; the model's, "fc", has 1`) {
		t.Errorf("error %v", err)
	}

	wide := fixtureConfig
	wide.Arch = "tiny-test-wide"
	g = build(t, wide)
	before = snapshot(g)
	tf2 := filepath.Join("testdata", "keras_tf2.h5")
	err = ImportKeras(tf2, g)
	var me *MismatchError
	if !errors.As(err, &me) || me.Source != tf2+" (matched by layer order)" || len(me.Mismatches) != 13 ||
		!strings.Contains(err.Error(), "res3a_branch2a/kernel has shape [1 1 8 8], want [1 1 8 6]") {
		t.Errorf("error %v", err)
	}
	unchanged(t, g, before)
}

// TestParamName covers the Keras variable names the importer meets.
func TestParamName(t *testing.T) {
	for in, want := range map[string]string{
		"conv1/kernel:0":       "kernel",
		"model/conv1/bias:0":   "bias",
		"bn_conv1/gamma:12":    "gamma",
		"moving_mean":          "moving_mean",
		"dense/kernel:x":       "kernel:x",
		":0":                   ":0",
		"a/b/moving_variance:": "moving_variance:",
	} {
		if got := paramName(in); got != want {
			t.Errorf("paramName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestKerasModelConfig reads the model_config variants of Keras versions:
// functional (2.2 "Model", 2.4 "Functional"), Sequential with its layer
// list under "config" (2.2+) or as "config" itself (older), and Keras 3's
// batch_shape; and shows that a broken one only matters when needed.
func TestKerasModelConfig(t *testing.T) {
	for i, c := range []struct {
		json    string
		input   *[3]int
		classes int
	}{
		{`{"class_name": "Model", "config": {"layers": [
			{"name": "input_1", "class_name": "InputLayer", "config": {"batch_input_shape": [null, 64, 64, 3]}},
			{"name": "fc6", "class_name": "Dense", "config": {"units": 6}},
			{"name": "aux", "class_name": "Dense", "config": {"units": 2}}],
			"output_layers": [["fc6", 0, 0]]}}`, &[3]int{64, 64, 3}, 6},
		{`{"class_name": "Functional", "config": {"layers": [
			{"class_name": "InputLayer", "config": {"name": "x", "batch_shape": [null, 32, 30, 1]}},
			{"class_name": "Dense", "config": {"name": "d", "units": 10}}],
			"output_layers": ["d", 0, 0]}}`, &[3]int{32, 30, 1}, 10},
		{`{"class_name": "Sequential", "config": {"name": "s", "layers": [
			{"class_name": "Conv2D", "config": {"batch_input_shape": [null, 8, 8, 2]}},
			{"class_name": "Dense", "config": {"units": 4}}]}}`, &[3]int{8, 8, 2}, 4},
		{`{"class_name": "Sequential", "config": [
			{"class_name": "Dense", "config": {"batch_input_shape": [null, 5]}},
			{"class_name": "Dense", "config": {"units": 3}}]}`, nil, 3},
		{`{"class_name": "Model", "config": {"layers": [
			{"class_name": "InputLayer", "config": {"batch_input_shape": [null, null, null, 3]}}]}}`, nil, 0},
	} {
		var m kerasModel
		if err := m.parse(c.json); err != nil {
			t.Errorf("case %d: %v", i, err)
			continue
		}
		if !reflect.DeepEqual(m.input, c.input) || m.classes != c.classes {
			t.Errorf("case %d: input %v classes %d, want %v %d", i, m.input, m.classes, c.input, c.classes)
		}
	}

	k, err := OpenKeras(filepath.Join("testdata", "keras_model.h5"))
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	k.ModelConfig = `{"config": [`
	if _, err := k.InferConfig(resnet.Config{}); err == nil || !strings.Contains(err.Error(), "reading the input shape from model_config") {
		t.Errorf("error %v", err)
	}
	cfg, err := k.InferConfig(resnet.Config{InputShape: [3]int{16, 16, 1}})
	if err != nil || cfg != fixtureConfig {
		t.Errorf("config %+v, %v", cfg, err)
	}
}
