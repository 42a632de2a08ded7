package weights

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/weights/safetensors"
)

// tinyFileBytes returns a small model file and a small checkpoint.
func tinyFileBytes(t testing.TB) (model, checkpoint []byte) {
	t.Helper()
	g := build(t, tinyConfig)
	perturb(g, 8)
	dir := t.TempDir()
	mp, cp := filepath.Join(dir, "m.safetensors"), filepath.Join(dir, "c.safetensors")
	if err := Save(mp, g, WithArch(tinyConfig), WithClasses(signNames...)); err != nil {
		t.Fatal(err)
	}
	extra := map[string]*ops.Tensor{
		"adam/step":           {Data: []float32{12}},
		"adam/m/fc6/bias":     {Shape: ops.Shape{6}, Data: []float32{1, 2, 3, 4, 5, 6}},
		"adam/v/conv1/kernel": {Shape: ops.Shape{2, 2}, Data: []float32{1, 2, 3, 4}},
	}
	if err := SaveCheckpoint(cp, g, tinyConfig, extra, map[string]string{"epoch": "2"}, WithDtype(safetensors.F16)); err != nil {
		t.Fatal(err)
	}
	var err error
	if model, err = os.ReadFile(mp); err != nil {
		t.Fatal(err)
	}
	if checkpoint, err = os.ReadFile(cp); err != nil {
		t.Fatal(err)
	}
	return model, checkpoint
}

// TestTruncatedModel cuts a model file at every length up to its header's
// end and at steps beyond: each must fail, naming the file, never panic.
func TestTruncatedModel(t *testing.T) {
	data, _ := tinyFileBytes(t)
	dir := t.TempDir()
	for n := 0; n < len(data); n += 1 + n/64 {
		path := filepath.Join(dir, "cut.safetensors")
		if err := os.WriteFile(path, data[:n], 0o644); err != nil {
			t.Fatal(err)
		}
		m, err := Load(path)
		if err == nil {
			t.Fatalf("a file cut to %d of %d bytes loaded: %+v", n, len(data), m.Config)
		}
		var fe *safetensors.FormatError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), path) {
			t.Fatalf("cut to %d: error %v", n, err)
		}
	}
}

// FuzzLoad feeds mutated model files and checkpoints to the loader: it
// must never panic, every error must name the file, and an accepted file
// must give a model whose every parameter is the file's tensor.
//
// The seeds are whole model files of some 30 KB, which the fuzzer's
// default minimisation of each new input (up to a minute) would spend
// most of the run on; bound it:
//
//	go test -run '^$' -fuzz '^FuzzLoad$' -fuzztime 30s -fuzzminimizetime 200x ./weights/
func FuzzLoad(f *testing.F) {
	model, checkpoint := tinyFileBytes(f)
	f.Add(model)
	f.Add(checkpoint)
	// A format-1 file (the legacy path) and a graph no architecture names.
	if v1, err := os.ReadFile(filepath.Join("testdata", "v1_tiny.safetensors")); err == nil {
		f.Add(v1)
	}
	path := filepath.Join(f.TempDir(), "branchy.safetensors")
	if err := Save(path, branchyGraph(f)); err != nil {
		f.Fatal(err)
	}
	branchy, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(branchy)
	f.Fuzz(func(t *testing.T, data []byte) {
		const name = "fuzz.safetensors"
		file, err := safetensors.Parse(name, data)
		if err != nil {
			return // the container's own fuzz test covers this
		}
		share := len(data)%2 == 0
		m, extra, err := decode(file, share, true)
		if err != nil {
			if !strings.Contains(err.Error(), name) {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for _, p := range m.Graph.Params() {
			want, err := file.Float32(TensorName(p))
			if err != nil {
				t.Fatal(err)
			}
			for i := range want {
				if p.Value[i] != want[i] && want[i] == want[i] { // NaN ≠ NaN
					t.Fatalf("%s[%d] = %v, file has %v", TensorName(p), i, p.Value[i], want[i])
				}
			}
		}
		for n, x := range extra {
			if len(x.Data) != x.Shape.Len() {
				t.Fatalf("extra %s: %d values for shape %v", n, len(x.Data), x.Shape)
			}
		}
	})
}
