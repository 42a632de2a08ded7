package weights

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/resnet"
	"github.com/simdnet/simdnet/weights/safetensors"
)

var signNames = []string{"zero", "one", "two", "three", "four", "five"}

// saveTiny saves a perturbed tiny model and returns it with the file's path.
func saveTiny(t *testing.T, opts ...SaveOption) (*ops.Graph, string) {
	t.Helper()
	g := build(t, tinyConfig)
	perturb(g, 1)
	path := filepath.Join(t.TempDir(), "tiny.safetensors")
	if err := Save(path, g, append([]SaveOption{WithArch(tinyConfig)}, opts...)...); err != nil {
		t.Fatal(err)
	}
	return g, path
}

// TestRoundTrip saves a model whose every parameter, moving statistics
// included, differs from its initial value, and loads it into a model built
// from the file alone: the weights and the logits must be bit-identical,
// and the description must come back.
func TestRoundTrip(t *testing.T) {
	g, path := saveTiny(t, WithClasses(signNames...), WithMeta(map[string]string{"trained_on": "SIGNS"}))
	m, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if m.Config != tinyConfig {
		t.Errorf("config %+v, want %+v", m.Config, tinyConfig)
	}
	if !reflect.DeepEqual(m.Classes, signNames) {
		t.Errorf("classes %q", m.Classes)
	}
	if !reflect.DeepEqual(m.Meta, map[string]string{"trained_on": "SIGNS"}) {
		t.Errorf("meta %v", m.Meta)
	}
	sameBits(t, m.Graph, g)
	x := testInput(tinyConfig, 3)
	want, got := logits(t, g, x), logits(t, m.Graph, x)
	if !reflect.DeepEqual(bitsOf(got), bitsOf(want)) {
		t.Errorf("logits %v, want %v", got, want)
	}
	// A file holds "<layer>/<param>" tensors in Keras's layouts.
	f, err := safetensors.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for name, shape := range map[string][]int{
		"conv1/kernel": {7, 7, 1, 64}, "conv1/bias": {64}, "bn_conv1/moving_variance": {64},
		"res2a_branch2b/kernel": {3, 3, 4, 4}, "bn3a_branch1/gamma": {16}, "fc6/kernel": {16, 6},
	} {
		if info, ok := f.Tensor(name); !ok || !reflect.DeepEqual(info.Shape, shape) || info.Dtype != safetensors.F32 {
			t.Errorf("%s: %+v, want F32 %v", name, info, shape)
		}
	}
	if n, want := len(f.Names()), len(g.Params()); n != want {
		t.Errorf("%d tensors, want %d", n, want)
	}
}

func bitsOf(v []float32) []uint32 {
	b := make([]uint32, len(v))
	for i, x := range v {
		b[i] = math.Float32bits(x)
	}
	return b
}

// childEnv names the model file a re-executed test binary loads.
const childEnv = "SIMDNET_WEIGHTS_CHILD_MODEL"

// TestLoadInChild loads a model file in a fresh process, the test binary
// run again, which prints the logits' bits: they must equal this process's.
// Nothing but the file carries the weights and the architecture across.
func TestLoadInChild(t *testing.T) {
	if path := os.Getenv(childEnv); path != "" {
		childPrintLogits(t, path)
		return
	}
	if testing.Short() {
		t.Skip("starts a process")
	}
	g, path := saveTiny(t)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^TestLoadInChild$", "-test.v")
	cmd.Env = append(os.Environ(), childEnv+"="+path)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("child: %v\n%s", err, out.String())
	}
	want := fmt.Sprint(bitsOf(logits(t, g, testInput(tinyConfig, 3))))
	got := ""
	for _, line := range strings.Split(out.String(), "\n") {
		if s, ok := strings.CutPrefix(line, "LOGITS "); ok {
			got = s
		}
	}
	if got != want {
		t.Errorf("child logits %s\nwant %s\n%s", got, want, out.String())
	}
}

func childPrintLogits(t *testing.T, path string) {
	m, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("LOGITS " + fmt.Sprint(bitsOf(logits(t, m.Graph, testInput(m.Config, 3)))))
}

// TestHalfPrecision saves as F16 and BF16: the files are half the size and
// every weight comes back within the format's rounding error.
func TestHalfPrecision(t *testing.T) {
	g, full := saveTiny(t)
	fullSize := dataSize(t, full)
	for _, c := range []struct {
		dtype safetensors.Dtype
		rel   float64 // half an ulp, relative
	}{{safetensors.F16, 1.0 / (1 << 11)}, {safetensors.BF16, 1.0 / (1 << 8)}} {
		t.Run(c.dtype.String(), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "half.safetensors")
			if err := Save(path, g, WithArch(tinyConfig), WithDtype(c.dtype)); err != nil {
				t.Fatal(err)
			}
			if size := dataSize(t, path); size != fullSize/2 {
				t.Errorf("%v tensors take %d bytes, F32 ones %d", c.dtype, size, fullSize)
			}
			m, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			want := snapshot(g)
			for name, got := range snapshot(m.Graph) {
				for i, v := range got {
					w := float64(want[name][i])
					if d := math.Abs(float64(v) - w); d > c.rel*math.Abs(w)+1e-7 {
						t.Fatalf("%s[%d] = %v, want %v within %g", name, i, v, w, c.rel)
					}
				}
			}
			if c.dtype == safetensors.F16 {
				// The rounding shows in the logits but stays small.
				x := testInput(tinyConfig, 2)
				for i, w := range logits(t, g, x) {
					if d := math.Abs(float64(logits(t, m.Graph, x)[i] - w)); d > 2e-2 {
						t.Errorf("logit %d: off by %g", i, d)
					}
				}
			}
		})
	}
}

// dataSize returns the bytes a safetensors file's tensors take, without
// the header (which for a model this small is a good part of the file).
func dataSize(t *testing.T, path string) int {
	f, err := safetensors.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	for _, info := range f.Tensors() {
		n += info.End - info.Begin
	}
	return n
}

// TestReadOnly loads without copying: the parameters are the file's own
// F32 data, the model computes what a copied one does, and Close releases
// the mapping.
func TestReadOnly(t *testing.T) {
	g, path := saveTiny(t)
	m, err := Load(path, ReadOnly())
	if err != nil {
		t.Fatal(err)
	}
	if m.file == nil {
		t.Fatal("a ReadOnly model keeps its file")
	}
	for _, p := range m.Graph.Params() {
		view, err := m.file.Float32(TensorName(p))
		if err != nil {
			t.Fatal(err)
		}
		if unsafe.SliceData(view) != unsafe.SliceData(p.Value) {
			t.Fatalf("%s was copied", TensorName(p))
		}
	}
	x := testInput(tinyConfig, 2)
	if !reflect.DeepEqual(bitsOf(logits(t, m.Graph, x)), bitsOf(logits(t, g, x))) {
		t.Error("read-only model gives other logits")
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// TestSaveRefusesMismatch: a graph that is not what the configuration
// builds would make a file Load cannot load, so Save writes nothing.
func TestSaveRefusesMismatch(t *testing.T) {
	g := build(t, tinyConfig)
	path := filepath.Join(t.TempDir(), "m.safetensors")
	wide := tinyConfig
	wide.Arch = "tiny-test-wide"
	err := Save(path, g, WithArch(wide))
	var me *MismatchError
	if !errors.As(err, &me) {
		t.Fatalf("error %v, want a *MismatchError", err)
	}
	if !strings.HasPrefix(err.Error(), "weights: graph TinyResNet to be saved as "+path+" does not match tiny-test-wide: ") ||
		!strings.Contains(err.Error(), "res3a_branch2a/kernel has shape [1 1 8 8], want [1 1 8 6]") {
		t.Errorf("error %q", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Error("Save wrote a file for a mismatched graph")
	}
	for _, c := range []struct {
		opts []SaveOption
		want string
	}{
		{[]SaveOption{WithClasses("a", "b")}, "2 class names for 6 outputs"},
		{[]SaveOption{WithDtype(safetensors.I32)}, "cannot store weights as I32"},
		{[]SaveOption{WithMeta(map[string]string{"simdnet.config": "{}"})}, "reserved prefix"},
	} {
		if err := Save(path, g, append([]SaveOption{WithArch(tinyConfig)}, c.opts...)...); err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("error %v, want %q naming the file", err, c.want)
		}
	}
	unknown := tinyConfig
	unknown.Arch = "nope"
	if err := Save(path, g, WithArch(unknown)); err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), `unknown architecture "nope"`) {
		t.Errorf("error %v", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Error("a refused Save wrote a file")
	}
}

// TestLoadDescribesFormat checks what Load says about files that are not
// (current) simdnet model files.
func TestLoadDescribesFormat(t *testing.T) {
	g := build(t, tinyConfig)
	dir := t.TempDir()
	var tensors []safetensors.Tensor
	for _, p := range g.Params() {
		tensors = append(tensors, safetensors.Tensor{Name: TensorName(p), Shape: p.Shape, Values: p.Value})
	}
	good := map[string]string{keyFormat: "1", keyConfig: `{"arch":"tiny-test","input_shape":[16,16,1],"classes":6,"seed":0}`}
	with := func(k, v string) map[string]string {
		md := map[string]string{}
		for k, v := range good {
			md[k] = v
		}
		if v == "" {
			delete(md, k)
		} else {
			md[k] = v
		}
		return md
	}
	for i, c := range []struct {
		md   map[string]string
		want string
	}{
		{map[string]string{"format": "pt"}, "not a simdnet model file"},
		{with(keyFormat, "3"), "format version 3 is newer"},
		{with(keyFormat, "2"), `no "simdnet.model_config"`}, // format 2 describes the graph itself
		{map[string]string{keyFormat: "2", keyGraph: "{"}, "model config: unexpected end of JSON input"},
		{with(keyFormat, "x"), `bad format version "x"`},
		{with(keyConfig, ""), "no \"simdnet.config\""},
		{with(keyConfig, `{"arch":"tiny-test","input_shape":[16,16,1],"classes":6,"seed":0,"depth":3}`), "unknown field"},
		{with(keyConfig, `{"arch":"nope","input_shape":[16,16,1],"classes":6}`), `unknown architecture "nope"`},
		{with(keyConfig, `{"arch":"tiny-test","input_shape":[16,16,0],"classes":6}`), "dimensions must be in"},
		{with(keyConfig, `{"arch":"tiny-test","input_shape":[16,16,1],"classes":100000}`), "100000 classes"},
		{with(keyConfig, `{"arch":"tiny-test","input_shape":[5000,5000,1],"classes":6}`), "exceeds"},
		{with(keyConfig, `{"arch":"tiny-test","input_shape":[16,16,5000],"classes":6}`), "channels"},
		{with(keyConfig, `{"arch":"tiny-test","input_shape":[4000,4000,1],"classes":6}`), "the classifier would have 1000000×6 weights"},
		{with(keyClasses, `["a"]`), "1 class names for 6 classes"},
		{with(keyExtra, `["adam/m"]`), `extra tensor "adam/m" is listed`},
	} {
		path := filepath.Join(dir, "bad"+strconv.Itoa(i)+".safetensors")
		if err := safetensors.WriteFile(path, tensors, c.md); err != nil {
			t.Fatal(err)
		}
		_, err := Load(path)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("case %d: error %v, want %q naming the file", i, err, c.want)
		}
	}
}

// TestSeedIrrelevant: the stored weights, not the seed, decide the model.
func TestSeedIrrelevant(t *testing.T) {
	g, path := saveTiny(t)
	m, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	other := build(t, resnet.Config{Arch: "tiny-test", InputShape: [3]int{16, 16, 1}, Classes: 6, Seed: 77})
	if err := Assign(other, FromTensors("mem", tensorsOf(m.Graph))); err != nil {
		t.Fatal(err)
	}
	sameBits(t, other, g)
}

// tensorsOf returns g's parameters as named tensors sharing their storage.
func tensorsOf(g *ops.Graph) map[string]*ops.Tensor {
	ts := map[string]*ops.Tensor{}
	for _, p := range g.Params() {
		ts[TensorName(p)] = &ops.Tensor{Shape: p.Shape, Data: p.Value}
	}
	return ts
}

// TestLoadBytes loads a model file held in memory, and copies: the bytes
// can be reused at once.
func TestLoadBytes(t *testing.T) {
	g, path := saveTiny(t)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := LoadBytes("embedded.safetensors", data)
	if err != nil {
		t.Fatal(err)
	}
	clear(data)
	sameBits(t, m.Graph, g)
	if _, err := LoadBytes("embedded.safetensors", data[:100]); err == nil || !strings.Contains(err.Error(), "embedded.safetensors") {
		t.Errorf("error %v", err)
	}
}
