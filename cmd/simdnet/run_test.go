package main

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/simdnet/simdnet/internal/npy"
	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/weights"
)

const onnxTestdata = "../../onnx/testdata"

// onnxFixture reads one of onnx/testdata's models: its input batch and
// PyTorch's output, both NCHW / as PyTorch gave them.
func onnxFixture(t *testing.T, name string) (model string, in, want *ops.Tensor) {
	t.Helper()
	var meta struct {
		InputShape  []int `json:"input_shape"`
		OutputShape []int `json:"output_shape"`
	}
	raw, err := os.ReadFile(filepath.Join(onnxTestdata, name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &meta); err != nil {
		t.Fatal(err)
	}
	read := func(suffix string, shape []int) *ops.Tensor {
		b, err := os.ReadFile(filepath.Join(onnxTestdata, name+suffix))
		if err != nil {
			t.Fatal(err)
		}
		x := ops.NewTensor(shape...)
		if len(b) != 4*len(x.Data) {
			t.Fatalf("%s%s: %d bytes for shape %v", name, suffix, len(b), shape)
		}
		for k := range x.Data {
			x.Data[k] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*k:]))
		}
		return x
	}
	return filepath.Join(onnxTestdata, name+".onnx"), read(".in.f32", meta.InputShape), read(".out.f32", meta.OutputShape)
}

// relDiff is max |got − want| / max |want|.
func relDiff(got, want []float32) float64 {
	var d, s float64
	for k, w := range want {
		d = max(d, math.Abs(float64(got[k])-float64(w)))
		s = max(s, math.Abs(float64(w)))
	}
	return d / s
}

func writeNpy(t *testing.T, x *ops.Tensor) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "x.npy")
	if err := npy.WriteFile(path, x.Shape, x.Data, npy.Float32); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestRunONNXMatchesPyTorch: simdnet run on onnx/testdata's models, fed
// their NCHW batch as .npy, writes PyTorch's logits.
func TestRunONNXMatchesPyTorch(t *testing.T) {
	for _, name := range []string{"tiny_resnet_op13", "tiny_mobilenet_v2_op13", "flatten_head_op17"} {
		t.Run(name, func(t *testing.T) {
			model, in, want := onnxFixture(t, name)
			x := writeNpy(t, in)
			for _, dtype := range []string{"f4", "f8"} {
				y := filepath.Join(t.TempDir(), "y.npy")
				code, out, e := run(t, "run", "--model", model, "--input", x, "--output", y, "--dtype", dtype)
				if code != 0 {
					t.Fatalf("status %d, stderr %s", code, e)
				}
				if !strings.Contains(out, "wrote "+y) {
					t.Errorf("stdout %q", out)
				}
				got, err := npy.ReadFile(y)
				if err != nil {
					t.Fatal(err)
				}
				if got.Dtype != "<"+dtype || !slices.Equal(got.Shape, []int(want.Shape)) {
					t.Fatalf("output %s %v, want <%s %v", got.Dtype, got.Shape, dtype, want.Shape)
				}
				if d := relDiff(got.Data, want.Data); d > 1e-4 {
					t.Errorf("max |run − PyTorch| / max |PyTorch| = %.3g, want ≤ 1e-4", d)
				} else {
					t.Logf("%s: %.3g", dtype, d)
				}
			}
		})
	}
}

// TestRunONNXOtherSize: a fully convolutional file runs at the tensor's
// image size, and a file that flattens its feature map says it cannot.
func TestRunONNXOtherSize(t *testing.T) {
	model, _, _ := onnxFixture(t, "tiny_resnet_op13")
	x := ops.NewTensor(3, 3, 40, 48)
	for k := range x.Data {
		x.Data[k] = float32(k%11) / 11
	}
	y := filepath.Join(t.TempDir(), "y.npy")
	if code, _, e := run(t, "run", "--model", model, "--input", writeNpy(t, x), "--output", y); code != 0 {
		t.Fatalf("status %d, %s", code, e)
	}
	got, err := npy.ReadFile(y)
	if err != nil || !slices.Equal(got.Shape, []int{3, 10}) {
		t.Fatalf("output %v, %v", got, err)
	}
	// NHWC given to an ONNX file: its shape is not the file's.
	model, in, _ := onnxFixture(t, "flatten_head_op17")
	n, c, h, w := in.Shape[0], in.Shape[1], in.Shape[2], in.Shape[3]
	code, _, e := run(t, "run", "--model", model, "--input", writeNpy(t, ops.NewTensor(n, h, w, c)), "--output", y)
	if code == 0 || !strings.Contains(e, "the file declares samples of shape") {
		t.Fatalf("an NHWC batch for a flattening NCHW file: status %d, stderr %q", code, e)
	}
}

// TestRunSimdnetModel: a simdnet model file takes NHWC and gives what its
// graph's own layer-by-layer forward pass gives.
func TestRunSimdnetModel(t *testing.T) {
	model := tinyModelFile(t)
	m, err := weights.Load(model)
	if err != nil {
		t.Fatal(err)
	}
	x := ops.NewTensor(5, 32, 32, 3)
	for k := range x.Data {
		x.Data[k] = float32((k*7)%13) / 13
	}
	want, err := m.Graph.Forward(x, ops.Inference)
	if err != nil {
		t.Fatal(err)
	}
	y := filepath.Join(t.TempDir(), "y.npy")
	xs := writeNpy(t, x)
	if code, _, e := run(t, "run", "--model", model, "--input", xs, "--output", y, "--threads", "1"); code != 0 {
		t.Fatalf("status %d, %s", code, e)
	}
	got, err := npy.ReadFile(y)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Shape, []int{5, 2}) {
		t.Fatalf("output shape %v", got.Shape)
	}
	if d := relDiff(got.Data, want.Data); d > 1e-5 {
		t.Errorf("max |run − Graph.Forward| / max = %.3g", d)
	}
	// Bare weights: --arch and --classes, the shape from the tensor.
	bare := stripMetadata(t, model)
	yb := filepath.Join(t.TempDir(), "yb.npy")
	if code, _, e := run(t, "run", "--model", bare, "--arch", "resnet8", "--classes", "2", "--input", xs, "--output", yb); code != 0 {
		t.Fatalf("bare weights: status %d, %s", code, e)
	}
	if b, err := npy.ReadFile(yb); err != nil || relDiff(b.Data, want.Data) > 1e-5 {
		t.Fatalf("bare weights: %v %v", b, err)
	}
	runUsage(t, "(missing --arch, --classes)", "run", "--model", bare, "--input", xs, "--output", yb)
	runUsage(t, "but the model takes (32, 32, 3) (N, H, W, C)", "run", "--model", model, "--input", writeNpy(t, ops.NewTensor(1, 3, 32, 32)), "--output", y)
	runUsage(t, "want --input x.npy and --output y.npy", "run", "--model", model, "--input", xs)
	runUsage(t, "--dtype", "run", "--model", model, "--input", xs, "--output", y, "--dtype", "i4")
	runUsage(t, "is the input file", "run", "--model", model, "--input", xs, "--output", xs)
	runUsage(t, "want a batch axis first", "run", "--model", model, "--input", writeNpy(t, ops.NewTensor(3)), "--output", y)
	bad := filepath.Join(t.TempDir(), "bad.npy")
	os.WriteFile(bad, []byte("\x93NUMPY\x01\x00\xff\xff{'descr'"), 0o644)
	if code, _, e := run(t, "run", "--model", model, "--input", bad, "--output", y); code != 1 || !strings.Contains(e, "bad.npy: header length 65535 runs past the end") {
		t.Fatalf("hostile .npy: status %d, stderr %q", code, e)
	}
}
