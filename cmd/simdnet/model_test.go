package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/simdnet/simdnet/weights/safetensors"
)

// stripMetadata writes the tensors of a model file again without any
// metadata: bare Keras-named weights, as another tool would write them.
func stripMetadata(t *testing.T, model string) string {
	t.Helper()
	f, err := safetensors.ReadFile(model)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var tensors []safetensors.Tensor
	for _, name := range f.Names() {
		info, _ := f.Tensor(name)
		v, err := f.Float32(name)
		if err != nil {
			t.Fatal(err)
		}
		tensors = append(tensors, safetensors.Tensor{Name: name, Shape: info.Shape, Values: append([]float32(nil), v...)})
	}
	bare := filepath.Join(t.TempDir(), "bare.safetensors")
	if err := safetensors.WriteFile(bare, tensors, nil); err != nil {
		t.Fatal(err)
	}
	return bare
}

// TestBareWeights: predict and eval run a safetensors file without
// simdnet's metadata when --arch, --input and --classes say what it is,
// with the same results as the model file it came from, and say exactly
// what is missing otherwise.
func TestBareWeights(t *testing.T) {
	signs := writeSigns(t)
	model := tinyModelFile(t)
	bare := stripMetadata(t, model)
	photo := filepath.Join(signs, "1_IMG_b.png")
	what := []string{"--arch", "resnet8", "--input", "32x32x3", "--classes", "0,1"}

	code, want, e := run(t, "predict", "--model", model, "--top", "2", photo)
	if code != 0 {
		t.Fatalf("predict with the model file: status %d, %s", code, e)
	}
	code, got, e := run(t, append(append([]string{"predict", "--model", bare, "--top", "2"}, what...), photo)...)
	if code != 0 || got != want {
		t.Fatalf("predict with bare weights: status %d, stderr %q\n%s\nwant\n%s", code, e, got, want)
	}
	code, got, e = run(t, append([]string{"eval", "--model", bare, "--data", signs}, what...)...)
	if code != 0 || !strings.Contains(got, "accuracy") {
		t.Fatalf("eval with bare weights: status %d, stderr %q\n%s", code, e, got)
	}
	// A class count instead of names works too.
	code, _, e = run(t, "predict", "--model", bare, "--arch", "resnet8", "--input", "32x32x3", "--classes", "2", photo)
	if code != 0 {
		t.Fatalf("--classes 2: status %d, %s", code, e)
	}

	runUsage(t, "holds bare weights, without simdnet's description of the network: give --arch, --input and --classes (missing --arch, --input, --classes)",
		"predict", "--model", bare, photo)
	runUsage(t, "(missing --input, --classes)", "eval", "--model", bare, "--data", signs, "--arch", "resnet8")

	// Flags that describe another network: Assign's mismatch, by tensor.
	code, _, e = run(t, "predict", "--model", bare, "--arch", "resnet8", "--input", "32x32x3", "--classes", "3", photo)
	if code != 1 || !strings.Contains(e, "does not fit --arch resnet8 --input 32x32x3 --classes 3") || !strings.Contains(e, "missing fc3/kernel") {
		t.Fatalf("bare weights of 2 classes as 3: status %d, stderr %q", code, e)
	}
}
