package weights

import (
	"encoding/binary"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/weights/safetensors"
)

// TestMismatchListsEverything writes a file with one of each problem — a
// parameter missing, a tensor too many, a wrong shape, an integer dtype —
// and checks that Assign reports all four at once, in one message, and
// assigns nothing.
func TestMismatchListsEverything(t *testing.T) {
	src := build(t, tinyConfig)
	perturb(src, 2)
	var tensors []safetensors.Tensor
	for _, p := range src.Params() {
		name := TensorName(p)
		switch name {
		case "conv1/bias":
			continue // missing
		case "res2a_branch2a/kernel":
			tensors = append(tensors, safetensors.Tensor{Name: name, Shape: []int{1, 1, 64, 5}, Values: make([]float32, 64*5)})
		case "bn_conv1/gamma":
			tensors = append(tensors, safetensors.Tensor{Name: name, Dtype: safetensors.I32, Shape: []int{64}, Data: make([]byte, 4*64)})
		default:
			tensors = append(tensors, safetensors.Tensor{Name: name, Shape: p.Shape, Values: p.Value})
		}
	}
	tensors = append(tensors, safetensors.Tensor{Name: "foo/kernel", Shape: []int{2}, Values: []float32{1, 2}})
	path := filepath.Join(t.TempDir(), "model.safetensors")
	if err := safetensors.WriteFile(path, tensors, nil); err != nil {
		t.Fatal(err)
	}
	f, err := safetensors.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	g := build(t, tinyConfig)
	g.Name = "tiny-test"
	before := snapshot(g)
	err = Assign(g, FromSafetensors(f))
	want := "weights: " + path + " does not match tiny-test: missing conv1/bias; unexpected foo/kernel; " +
		"bn_conv1/gamma has dtype I32, want a float type; " +
		"res2a_branch2a/kernel has shape [1 1 64 5], want [1 1 64 4]"
	if err == nil || err.Error() != want {
		t.Fatalf("error\n%v\nwant\n%s", err, want)
	}
	var me *MismatchError
	if !errors.As(err, &me) || len(me.Mismatches) != 4 || me.Source != path {
		t.Fatalf("%#v", err)
	}
	kinds := map[string]MismatchKind{}
	for _, m := range me.Mismatches {
		kinds[m.Tensor] = m.Kind
	}
	if fmt.Sprint(kinds["conv1/bias"]) != "missing" || kinds["foo/kernel"] != Unexpected ||
		kinds["bn_conv1/gamma"] != WrongDtype || kinds["res2a_branch2a/kernel"] != WrongShape {
		t.Errorf("kinds %v", kinds)
	}
	unchanged(t, g, before)
}

// TestMismatchBetweenArchitectures loads a model file into the model of
// another architecture: every differing tensor is listed, by name.
func TestMismatchBetweenArchitectures(t *testing.T) {
	_, path := saveTiny(t)
	f, err := safetensors.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	wide := tinyConfig
	wide.Arch = "tiny-test-wide"
	g := build(t, wide)
	before := snapshot(g)
	err = Assign(g, FromSafetensors(f))
	var me *MismatchError
	if !errors.As(err, &me) {
		t.Fatalf("error %v", err)
	}
	// Stage 3's first two convolutions have 6 filters instead of 8: their
	// kernels, biases and batch norms, and the next kernel's input.
	var got []string
	for _, m := range me.Mismatches {
		if m.Kind != WrongShape {
			t.Errorf("unexpected %+v", m)
		}
		got = append(got, m.Tensor)
	}
	want := []string{
		"res3a_branch2a/kernel", "res3a_branch2a/bias",
		"bn3a_branch2a/gamma", "bn3a_branch2a/beta", "bn3a_branch2a/moving_mean", "bn3a_branch2a/moving_variance",
		"res3a_branch2b/kernel", "res3a_branch2b/bias",
		"bn3a_branch2b/gamma", "bn3a_branch2b/beta", "bn3a_branch2b/moving_mean", "bn3a_branch2b/moving_variance",
		"res3a_branch2c/kernel",
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("mismatches %v\nwant %v", got, want)
	}
	for _, name := range want {
		if !strings.Contains(err.Error(), name+" has shape") {
			t.Errorf("message lacks %s: %v", name, err)
		}
	}
	unchanged(t, g, before)
}

// failingSource is a source whose data cannot be read for one tensor, like
// an HDF5 file with a corrupt compressed chunk: its metadata looks fine.
type failingSource struct {
	Source
	bad string
}

func (s failingSource) Float32(name string) ([]float32, error) {
	if name == s.bad {
		return nil, errors.New("corrupt chunk")
	}
	return s.Source.Float32(name)
}

// TestReadErrorAssignsNothing: a read failing on the last parameter leaves
// even the earlier ones untouched.
func TestReadErrorAssignsNothing(t *testing.T) {
	src := build(t, tinyConfig)
	perturb(src, 4)
	g := build(t, tinyConfig)
	before := snapshot(g)
	params := g.Params()
	last := TensorName(params[len(params)-1])
	err := Assign(g, failingSource{FromTensors("mem", tensorsOf(src)), last})
	if err == nil || err.Error() != "corrupt chunk" {
		t.Fatalf("error %v", err)
	}
	unchanged(t, g, before)
	if err := Assign(g, FromTensors("mem", tensorsOf(src))); err != nil {
		t.Fatal(err)
	}
	sameBits(t, g, src)
}

// TestAssignCopies: Assign writes into the parameters' own storage, so
// the source can change afterwards without touching the model.
func TestAssignCopies(t *testing.T) {
	src := build(t, tinyConfig)
	perturb(src, 5)
	g := build(t, tinyConfig)
	values := g.Params()[0].Value
	if err := Assign(g, FromTensors("mem", tensorsOf(src))); err != nil {
		t.Fatal(err)
	}
	if &g.Params()[0].Value[0] != &values[0] {
		t.Error("Assign replaced a parameter's storage")
	}
	src.Params()[0].Value[0]++
	if g.Params()[0].Value[0] == src.Params()[0].Value[0] {
		t.Error("the model shares the source's memory")
	}
}

// TestMemorySource checks FromTensors' own reports: a nil tensor and
// values that do not fill the shape.
func TestMemorySource(t *testing.T) {
	g := build(t, tinyConfig)
	ts := tensorsOf(build(t, tinyConfig))
	ts["conv1/bias"] = nil
	err := Assign(g, FromTensors("mem", ts))
	if err == nil || !strings.Contains(err.Error(), "conv1/bias has dtype nil") {
		t.Errorf("error %v", err)
	}
	ts = tensorsOf(build(t, tinyConfig))
	ts["conv1/bias"] = &ops.Tensor{Shape: ops.Shape{64}, Data: make([]float32, 3)}
	err = Assign(g, FromTensors("mem", ts))
	if err == nil || !strings.Contains(err.Error(), `"conv1/bias" has 3 values for shape [64]`) {
		t.Errorf("error %v", err)
	}
}

// TestMismatchMessageBounded: a hostile file with very many tensors gives
// a bounded message, while Mismatches keeps them all.
func TestMismatchMessageBounded(t *testing.T) {
	me := &MismatchError{Source: "f", Model: "m"}
	for i := range 3000 {
		me.Mismatches = append(me.Mismatches, Mismatch{Tensor: strings.Repeat("x", 300) + string(binary.AppendUvarint(nil, uint64(i))), Kind: Unexpected})
	}
	msg := me.Error()
	if len(msg) > 2000*250 || !strings.Contains(msg, "... and 1000 more") {
		t.Errorf("message of %d bytes: ...%s", len(msg), msg[len(msg)-40:])
	}
}
