package weights

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/simdnet/simdnet/internal/allocs"
	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/weights/safetensors"
)

// branchyGraph is no registered architecture: two branches joined by Add,
// pooling of both kinds, padding, and a Dense on the flattened feature map.
func branchyGraph(t testing.TB) *ops.Graph {
	t.Helper()
	g := ops.NewGraph(11)
	g.Name = "branchy"
	x := g.Input("pixels", 12, 10, 3)
	x = g.Conv2D(x, ops.Conv2DConfig{Name: "stem", Filters: 8, KernelSize: [2]int{3, 3}, Padding: ops.Same})
	x = g.BatchNormalization(x, "stem_bn")
	x = g.Activation(x, ops.ReLU)
	a := g.Conv2D(x, ops.Conv2DConfig{Name: "branch_a", Filters: 8, KernelSize: [2]int{1, 1}, NoBias: true})
	b := g.MaxPooling2D(x, ops.Pool2DConfig{Name: "branch_b", PoolSize: [2]int{3, 3}, Strides: [2]int{1, 1}, Padding: ops.Same})
	x = g.Add(a, b)
	x = g.AveragePooling2D(x, ops.Pool2DConfig{PoolSize: [2]int{2, 2}})
	x = g.ZeroPadding2D(x, 1, 0)
	x = g.Flatten(x)
	x = g.Dense(x, ops.DenseConfig{Name: "head", Units: 5, Activation: ops.Softmax})
	g.SetOutput(x)
	if err := g.Build(); err != nil {
		t.Fatal(err)
	}
	perturb(g, 4)
	return g
}

func branchyInput(batch int) *ops.Tensor {
	x := ops.NewTensor(batch, 12, 10, 3)
	for i := range x.Data {
		x.Data[i] = float32(math.Sin(float64(i)))
	}
	return x
}

func forward(t *testing.T, g *ops.Graph, x *ops.Tensor, mode ops.Mode) []uint32 {
	t.Helper()
	y, err := g.Forward(x, mode)
	if err != nil {
		t.Fatal(err)
	}
	return bitsOf(y.Data)
}

// TestAnyGraphRoundTrips saves a graph built with ops' builder, with no
// architecture behind it, and loads it in one call: same layers, same
// weights, bit-identical outputs in both modes, copied or mapped.
func TestAnyGraphRoundTrips(t *testing.T) {
	g := branchyGraph(t)
	path := filepath.Join(t.TempDir(), "branchy.safetensors")
	classes := []string{"a", "b", "c", "d", "e"}
	if err := Save(path, g, WithClasses(classes...)); err != nil {
		t.Fatal(err)
	}
	for _, opts := range [][]LoadOption{nil, {ReadOnly()}} {
		m, err := Load(path, opts...)
		if err != nil {
			t.Fatal(err)
		}
		if m.Graph.Name != "branchy" || !reflect.DeepEqual(m.Classes, classes) {
			t.Errorf("name %q, classes %v", m.Graph.Name, m.Classes)
		}
		if m.Config.Arch != "" || m.Config.InputShape != [3]int{12, 10, 3} || m.Config.Classes != 5 {
			t.Errorf("config %+v, want the graph's input shape and classes", m.Config)
		}
		var names, want []string
		for _, l := range m.Graph.Layers() {
			names = append(names, l.LayerName())
		}
		for _, l := range g.Layers() {
			want = append(want, l.LayerName())
		}
		if !reflect.DeepEqual(names, want) {
			t.Errorf("layers %v, want %v", names, want)
		}
		sameBits(t, m.Graph, g)
		x := branchyInput(3)
		if !reflect.DeepEqual(forward(t, m.Graph, x, ops.Inference), forward(t, g, x, ops.Inference)) {
			t.Error("the loaded graph computes other outputs")
		}
		if len(opts) == 0 { // Training mode updates the moving statistics: not on the original twice
			if !reflect.DeepEqual(forward(t, m.Graph, x, ops.Training), forward(t, branchyGraph(t), x, ops.Training)) {
				t.Error("the loaded graph trains differently")
			}
		}
		m.Close()
	}
}

// TestFormat1FileStillLoads loads a file written by the format-1 code
// (testdata/v1_tiny.safetensors: the tiny ResNet named by its
// resnet.Config) and checks the logits recorded when it was written; then
// saves it again in today's format, which must load to the same model.
func TestFormat1FileStillLoads(t *testing.T) {
	path := filepath.Join("testdata", "v1_tiny.safetensors")
	f, err := safetensors.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if v := f.Metadata()[keyFormat]; v != "1" {
		t.Fatalf("fixture has format %q, want 1", v)
	}
	f.Close()
	raw, err := os.ReadFile(filepath.Join("testdata", "v1_tiny_logits.json"))
	if err != nil {
		t.Fatal(err)
	}
	var want []float32
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	m, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if m.Config != tinyConfig || !reflect.DeepEqual(m.Classes, signNames) || m.Meta["written_by"] != "simdnet format 1" {
		t.Errorf("config %+v, classes %v, meta %v", m.Config, m.Classes, m.Meta)
	}
	// The recorded logits came from one machine's kernels; another's (or
	// purego's) sum in another order, so they agree to rounding.
	x := testInput(tinyConfig, 2)
	first := logits(t, m.Graph, x)
	if len(first) != len(want) {
		t.Fatalf("%d logits, want %d", len(first), len(want))
	}
	for i := range want {
		if d := math.Abs(float64(first[i] - want[i])); !(d <= 1e-5*(1+math.Abs(float64(want[i])))) {
			t.Fatalf("logits %v, want %v", first, want)
		}
	}
	again := filepath.Join(t.TempDir(), "v2.safetensors")
	if err := Save(again, m.Graph, WithArch(m.Config), WithClasses(m.Classes...)); err != nil {
		t.Fatal(err)
	}
	m2, err := Load(again)
	if err != nil {
		t.Fatal(err)
	}
	if m2.Config != tinyConfig {
		t.Errorf("config after resaving %+v", m2.Config)
	}
	if got := logits(t, m2.Graph, x); !reflect.DeepEqual(bitsOf(got), bitsOf(first)) {
		t.Fatalf("logits after resaving %v, want %v", got, first)
	}
}

// branchyConfig returns branchyGraph's model_config as a generic value to
// break in tests.
func branchyConfig(t *testing.T) map[string]any {
	var m map[string]any
	if err := json.Unmarshal(mustMarshal(t, branchyGraph(t)), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// layerOf returns the named layer entry of a model_config value.
func layerOf(m map[string]any, name string) map[string]any {
	for _, l := range m["config"].(map[string]any)["layers"].([]any) {
		if l := l.(map[string]any); l["name"] == name {
			return l
		}
	}
	panic("no layer " + name)
}

// TestBadGraphConfigs breaks the model_config of a saved file in each way
// a hostile or damaged file might: every one is an error that names the
// file and the layer, and nothing large is allocated.
func TestBadGraphConfigs(t *testing.T) {
	g := branchyGraph(t)
	var tensors []safetensors.Tensor
	for _, p := range g.Params() {
		tensors = append(tensors, safetensors.Tensor{Name: TensorName(p), Shape: p.Shape, Values: p.Value})
	}
	dir := t.TempDir()
	inbound := func(names ...string) []any {
		call := []any{}
		for _, n := range names {
			call = append(call, []any{n, 0, 0, map[string]any{}})
		}
		return []any{call}
	}
	for _, c := range []struct {
		name   string
		break_ func(m map[string]any)
		want   string
	}{
		{"unknown class", func(m map[string]any) { layerOf(m, "stem")["class_name"] = "Conv3D" }, `"stem" (Conv3D): unknown layer class`},
		{"missing field", func(m map[string]any) { delete(layerOf(m, "head")["config"].(map[string]any), "units") }, `"head" (Dense): config has no "units"`},
		{"wrong type", func(m map[string]any) { layerOf(m, "stem")["config"].(map[string]any)["filters"] = "8" }, `"stem" (Conv2D): filters = "8"`},
		{"dangling inbound", func(m map[string]any) { layerOf(m, "head")["inbound_nodes"] = inbound("nowhere") }, `"head" (Dense): inbound node "nowhere" names no layer`},
		{"cycle", func(m map[string]any) { layerOf(m, "stem")["inbound_nodes"] = inbound("activation_1") }, "closes a cycle"},
		{"shared layer", func(m map[string]any) {
			l := layerOf(m, "branch_a")
			l["inbound_nodes"] = append(l["inbound_nodes"].([]any), inbound("activation_1")[0])
		}, "shared layers are not supported"},
		{"inbound not a list", func(m map[string]any) { layerOf(m, "head")["inbound_nodes"] = "flatten_1" }, `"head" (Dense): inbound_nodes`},
		{"no output", func(m map[string]any) { m["config"].(map[string]any)["output_layers"] = []any{} }, "output_layers must name exactly one layer"},
		{"output elsewhere", func(m map[string]any) { m["config"].(map[string]any)["output_layers"] = []any{[]any{"ghost", 0, 0}} }, `"ghost", which is not a layer`},
		{"huge Dense", func(m map[string]any) { layerOf(m, "head")["config"].(map[string]any)["units"] = 1 << 30 }, `"head" (Dense): its parameters would hold`},
		{"huge padding", func(m map[string]any) {
			layerOf(m, "zero_padding2d_1")["config"].(map[string]any)["padding"] = []any{[]any{1 << 20, 1 << 20}, []any{0, 0}}
		}, `"zero_padding2d_1" (ZeroPadding2D): output shape`},
		{"huge input", func(m map[string]any) {
			layerOf(m, "pixels")["config"].(map[string]any)["batch_input_shape"] = []any{nil, 1 << 20, 1 << 20, 3}
		}, `"pixels" (InputLayer): output shape`},
		{"two inputs", func(m map[string]any) { layerOf(m, "stem")["class_name"] = "InputLayer" }, "the model's input must be its one InputLayer"},
		{"not functional", func(m map[string]any) { m["class_name"] = "Sequential" }, "want a Functional model"},
		{"duplicate name", func(m map[string]any) {
			layerOf(m, "head")["name"] = "stem"
			layerOf(m, "stem")["config"].(map[string]any)["name"] = "stem"
		}, `"stem" is used twice`},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := branchyConfig(t)
			c.break_(m)
			raw, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			md, err := (&header{graph: raw}).encode()
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".safetensors")
			if err := safetensors.WriteFile(path, tensors, md); err != nil {
				t.Fatal(err)
			}
			var loadErr error
			n := allocs.Bytes(func() { _, loadErr = Load(path) })
			if loadErr == nil || !strings.Contains(loadErr.Error(), c.want) || !strings.Contains(loadErr.Error(), path) {
				t.Fatalf("error %v, want %q naming the file", loadErr, c.want)
			}
			if n > 64<<20 {
				t.Fatalf("allocated %d MiB refusing a 5 KB file", n>>20)
			}
		})
	}
}

// FuzzUnmarshalGraph decodes arbitrary model_configs with small limits:
// errors are fine, panics and allocations beyond the limits are not. The
// seeds are configs of some kilobytes, whose minimisation would take most
// of a short run; bound it:
//
//	go test -run '^$' -fuzz '^FuzzUnmarshalGraph$' -fuzztime 20s -fuzzminimizetime 100x ./weights/
func FuzzUnmarshalGraph(f *testing.F) {
	f.Add(mustMarshal(f, branchyGraph(f)))
	f.Add(mustMarshal(f, build(f, tinyConfig)))
	f.Add([]byte(`{"class_name":"Functional","config":{"layers":[{"class_name":"InputLayer","name":"i","config":{"batch_input_shape":[null,4]},"inbound_nodes":[]},{"class_name":"Dense","name":"d","config":{"units":3},"inbound_nodes":[[["i",0,0,{}]]]}],"input_layers":[["i",0,0]],"output_layers":[["d",0,0]]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		// No per-input timeout in Go's fuzzer: crash on a hang so the
		// input is saved.
		timer := time.AfterFunc(10*time.Second, func() { panic("FuzzUnmarshalGraph: input took more than 10s") })
		defer timer.Stop()
		const budget = 1 << 14
		g, err := unmarshalGraph(data, nil, graphLimits{params: func(string) int { return budget }, activation: 1 << 16})
		if err != nil {
			return
		}
		for _, n := range g.Nodes() {
			if elements(n.Shape) > 1<<16 {
				t.Fatalf("layer %s: output %v beyond the limit", n.Name(), n.Shape)
			}
			total := 0
			for _, p := range n.Layer.Params() {
				total += p.Len()
			}
			if total > budget {
				t.Fatalf("layer %s: %d parameter values beyond the budget", n.Name(), total)
			}
		}
		if _, err := MarshalGraph(g); err != nil {
			t.Fatalf("a graph read from a config cannot be written back: %v", err)
		}
	})
}

// TestGraphFromKerasModelConfig builds the Keras fixtures' models from the
// model_config the files carry, in Keras 2's own layout, with no
// architecture behind them; imports the weights and checks the outputs
// numpy computed. UnmarshalGraph reads what Keras writes, not only what
// MarshalGraph writes.
func TestGraphFromKerasModelConfig(t *testing.T) {
	e := loadExpected(t)
	for _, file := range []string{"keras_model.h5", "keras_tf2.h5"} {
		t.Run(file, func(t *testing.T) {
			path := filepath.Join("testdata", file)
			k, err := OpenKeras(path)
			if err != nil {
				t.Fatal(err)
			}
			defer k.Close()
			g, err := UnmarshalGraph([]byte(k.ModelConfig), 0)
			if err != nil {
				t.Fatal(err)
			}
			if err := ImportKeras(path, g); err != nil {
				t.Fatal(err)
			}
			checkFixtureOutputs(t, g, e)
		})
	}
}
