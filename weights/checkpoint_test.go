package weights

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/weights/safetensors"
)

// adamState makes optimizer moments for every parameter of g plus a scalar
// step counter, as a training package would store them.
func adamState(g *ops.Graph) map[string]*ops.Tensor {
	extra := map[string]*ops.Tensor{"adam/step": {Data: []float32{40}}}
	for i, p := range g.Params() {
		m := &ops.Tensor{Shape: p.Shape.Clone(), Data: make([]float32, p.Len())}
		v := &ops.Tensor{Shape: p.Shape.Clone(), Data: make([]float32, p.Len())}
		for j := range m.Data {
			m.Data[j] = float32(i) + float32(j)/1000
			v.Data[j] = float32(j) * 1e-6
		}
		extra["adam/m/"+TensorName(p)] = m
		extra["adam/v/"+TensorName(p)] = v
	}
	return extra
}

// TestCheckpointRoundTrip stores weights, optimizer moments and training
// metadata in one file and gets all of them back exactly.
func TestCheckpointRoundTrip(t *testing.T) {
	g := build(t, tinyConfig)
	perturb(g, 7)
	extra := adamState(g)
	meta := map[string]string{"epoch": "3", "rng": "pcg:1:2", "history": `{"loss":[1.7,1.2,0.9]}`}
	path := filepath.Join(t.TempDir(), "ckpt.safetensors")
	if err := SaveCheckpoint(path, g, tinyConfig, extra, meta, WithClasses(signNames...)); err != nil {
		t.Fatal(err)
	}
	ck, err := LoadCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	sameBits(t, ck.Graph, g)
	if ck.Config != tinyConfig || !reflect.DeepEqual(ck.Classes, signNames) || !reflect.DeepEqual(ck.Meta, meta) {
		t.Errorf("config %+v classes %q meta %v", ck.Config, ck.Classes, ck.Meta)
	}
	if len(ck.Extra) != len(extra) {
		t.Fatalf("%d extra tensors, want %d", len(ck.Extra), len(extra))
	}
	for name, want := range extra {
		got := ck.Extra[name]
		if got == nil || got.Shape.Len() != want.Shape.Len() || len(got.Shape) != len(want.Shape) || !reflect.DeepEqual(got.Data, want.Data) {
			t.Fatalf("extra %s = %v, want %v", name, got, want)
		}
	}
	// Extras are ordinary memory: an optimizer resumes by writing to them.
	ck.Extra["adam/step"].Data[0]++

	// Load reads a checkpoint as a model, ignoring the extras; a plain
	// model file is a checkpoint without them.
	m, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	sameBits(t, m.Graph, g)
	_, plain := saveTiny(t)
	ck, err = LoadCheckpoint(plain)
	if err != nil || len(ck.Extra) != 0 || ck.Extra == nil {
		t.Errorf("plain file as checkpoint: %v, extra %v", err, ck.Extra)
	}
}

// TestCheckpointRefusals: names that would make the file ambiguous are
// refused, and the previous checkpoint survives the failed save.
func TestCheckpointRefusals(t *testing.T) {
	g := build(t, tinyConfig)
	path := filepath.Join(t.TempDir(), "ckpt.safetensors")
	if err := SaveCheckpoint(path, g, tinyConfig, nil, map[string]string{"epoch": "1"}); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		extra map[string]*ops.Tensor
		meta  map[string]string
		want  string
	}{
		{map[string]*ops.Tensor{"conv1/kernel": {Data: []float32{1}}}, nil, `extra tensor "conv1/kernel" has the name of a parameter`},
		{map[string]*ops.Tensor{"adam/x": nil}, nil, `extra tensor "adam/x" is nil`},
		{map[string]*ops.Tensor{"adam/x": {Shape: ops.Shape{2}, Data: []float32{1}}}, nil, `extra tensor "adam/x" has 1 values for shape [2]`},
		{nil, map[string]string{"simdnet.format": "9"}, `metadata key "simdnet.format" uses the reserved prefix`},
		{map[string]*ops.Tensor{"": {Data: []float32{1}}}, nil, "safetensors"},
	} {
		err := SaveCheckpoint(path, g, tinyConfig, c.extra, c.meta)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want %q", err, c.want)
		}
	}
	after, err := os.ReadFile(path)
	if err != nil || string(after) != string(before) {
		t.Error("a failed save changed the previous checkpoint")
	}
}

// TestCheckpointIntegerExtra: a checkpoint whose extra tensor is not float
// (written by another tool) is refused by LoadCheckpoint, with the name.
func TestCheckpointIntegerExtra(t *testing.T) {
	g := build(t, tinyConfig)
	md, err := (&header{config: &tinyConfig, graph: mustMarshal(t, g), extra: []string{"step"}}).encode()
	if err != nil {
		t.Fatal(err)
	}
	var tensors []safetensors.Tensor
	for _, p := range g.Params() {
		tensors = append(tensors, safetensors.Tensor{Name: TensorName(p), Shape: p.Shape, Values: p.Value})
	}
	tensors = append(tensors, safetensors.Tensor{Name: "step", Dtype: safetensors.I64, Data: make([]byte, 8)})
	path := filepath.Join(t.TempDir(), "int.safetensors")
	if err := safetensors.WriteFile(path, tensors, md); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err != nil {
		t.Errorf("Load ignores extras: %v", err)
	}
	_, err = LoadCheckpoint(path)
	if err == nil || !strings.Contains(err.Error(), `"step"`) || !strings.Contains(err.Error(), path) {
		t.Errorf("error %v", err)
	}
}
