package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/simdnet/simdnet/internal/npy"
	"github.com/simdnet/simdnet/onnx"
	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/weights"
)

// TestExport: export writes a model file as ONNX, which simdnet run then
// runs on the NCHW form of a batch with the outputs the model file gives
// on its NHWC form; and the file reads back as an ONNX model of the same
// shapes.
func TestExport(t *testing.T) {
	model := tinyModelFile(t)
	dir := t.TempDir()
	x := ops.NewTensor(4, 32, 32, 3)
	for k := range x.Data {
		x.Data[k] = float32((k*5)%17)/17 - 0.3
	}
	xs := writeNpy(t, x)
	ref := filepath.Join(dir, "ref.npy")
	if code, _, e := run(t, "run", "--model", model, "--input", xs, "--output", ref); code != 0 {
		t.Fatal(e)
	}
	want, err := npy.ReadFile(ref)
	if err != nil {
		t.Fatal(err)
	}
	m, err := weights.Load(model)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	nchw := writeNpy(t, toNCHWTensor(x))
	for _, flags := range [][]string{nil, {"--fold-bn", "--opset", "17"}} {
		out := filepath.Join(dir, "m.onnx")
		code, stdout, e := run(t, append(append([]string{"export"}, flags...), model, out)...)
		if code != 0 || !strings.Contains(stdout, "input (N, 3, 32, 32)") {
			t.Fatalf("export %v: status %d, stderr %s\n%s", flags, code, e, stdout)
		}
		om, err := onnx.Load(out, onnx.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(om.InputShape(), []int{3, 32, 32}) || !slices.Equal(om.OutputShape(), []int{2}) {
			t.Fatalf("exported shapes %v → %v", om.InputShape(), om.OutputShape())
		}
		y := filepath.Join(dir, "y.npy")
		if code, _, e := run(t, "run", "--model", out, "--input", nchw, "--output", y); code != 0 {
			t.Fatal(e)
		}
		got, err := npy.ReadFile(y)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.Shape, want.Shape) {
			t.Fatalf("shape %v, want %v", got.Shape, want.Shape)
		}
		if d := relDiff(got.Data, want.Data); d > 1e-5 {
			t.Errorf("export %v: max |ONNX − model file| / max = %.3g", flags, d)
		}
	}
	// --logits on both sides: the file gives the logits run --logits writes.
	out := filepath.Join(dir, "logits.onnx")
	if code, _, e := run(t, "export", "--logits", model, out); code != 0 {
		t.Fatal(e)
	}
	yl, rl := filepath.Join(dir, "yl.npy"), filepath.Join(dir, "rl.npy")
	if code, _, e := run(t, "run", "--model", out, "--input", nchw, "--output", yl); code != 0 {
		t.Fatal(e)
	}
	if code, _, e := run(t, "run", "--logits", "--model", model, "--input", xs, "--output", rl); code != 0 {
		t.Fatal(e)
	}
	a, _ := npy.ReadFile(yl)
	b, _ := npy.ReadFile(rl)
	if d := relDiff(a.Data, b.Data); d > 1e-5 || relDiff(b.Data, want.Data) < 1e-3 {
		t.Errorf("logits: ONNX vs run --logits %.3g; logits vs probabilities %.3g", d, relDiff(b.Data, want.Data))
	}
	runUsage(t, "want two files", "export", model)
	runUsage(t, "want a file name ending in .onnx", "export", model, filepath.Join(dir, "m.safetensors"))
	runUsage(t, "--opset must be between 13 and 18", "export", "--opset", "9", model, filepath.Join(dir, "m.onnx"))
	runUsage(t, "is already an ONNX file", "export", filepath.Join(onnxTestdata, "tiny_resnet_op13.onnx"), filepath.Join(dir, "m.onnx"))
	runUsage(t, "model.safetensors", "export", filepath.Join(dir, "none.safetensors"), filepath.Join(dir, "m.onnx"))
	// A corrupt model file: an error naming it, and no ONNX file written.
	bad := filepath.Join(dir, "bad.safetensors")
	os.WriteFile(bad, []byte("\xff\xff\xff\xff\xff\xff\xff\x7fjunk"), 0o644)
	out = filepath.Join(dir, "bad.onnx")
	if code, _, e := run(t, "export", bad, out); code != 1 || !strings.Contains(e, "bad.safetensors") {
		t.Fatalf("corrupt model file: status %d, stderr %q", code, e)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("an ONNX file was written for a corrupt model")
	}
}

func toNCHWTensor(x *ops.Tensor) *ops.Tensor {
	n, h, w, c := x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3]
	y := ops.NewTensor(n, c, h, w)
	for b := range n {
		for p := range h * w {
			for ch := range c {
				y.Data[(b*c+ch)*h*w+p] = x.Data[(b*h*w+p)*c+ch]
			}
		}
	}
	return y
}

// TestConvertExportMatchesPyTorch: every committed ONNX model, converted to
// a simdnet model file and exported back to ONNX, still gives PyTorch's
// outputs through simdnet run: the exporter's layouts, weights and
// operators against an independent reference.
func TestConvertExportMatchesPyTorch(t *testing.T) {
	for _, name := range []string{"tiny_resnet_op13", "tiny_resnet_op17", "flatten_head_op11", "flatten_head_op17",
		"tiny_mobilenet_v2_op13", "tiny_mobilenet_v3_op13", "tiny_mobilenet_v3_op17", "tiny_efficientnet_op17", "tiny_convnext_op17"} {
		t.Run(name, func(t *testing.T) {
			model, in, want := onnxFixture(t, name)
			dir := t.TempDir()
			st, re := filepath.Join(dir, "m.safetensors"), filepath.Join(dir, "re.onnx")
			if code, _, e := run(t, "convert", model, st); code != 0 {
				t.Fatal(e)
			}
			x := writeNpy(t, in)
			for _, flags := range [][]string{{"--opset", "17", "--logits"}, {"--opset", "17", "--fold-bn", "--logits"}} {
				if code, _, e := run(t, append(append([]string{"export"}, flags...), st, re)...); code != 0 {
					t.Fatalf("export %v: %s", flags, e)
				}
				y := filepath.Join(dir, "y.npy")
				if code, _, e := run(t, "run", "--model", re, "--input", x, "--output", y); code != 0 {
					t.Fatal(e)
				}
				got, err := npy.ReadFile(y)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got.Shape, []int(want.Shape)) {
					t.Fatalf("shape %v, want %v", got.Shape, want.Shape)
				}
				if d := relDiff(got.Data, want.Data); d > 1e-4 {
					t.Errorf("export %v: max |re-exported − PyTorch| / max |PyTorch| = %.3g", flags, d)
				}
			}
		})
	}
	// At opset 13 a LayerNormalization has no operator: refused by name.
	model, _, _ := onnxFixture(t, "tiny_convnext_op17")
	st := filepath.Join(t.TempDir(), "cn.safetensors")
	if code, _, e := run(t, "convert", model, st); code != 0 {
		t.Fatal(e)
	}
	if code, _, e := run(t, "export", st, filepath.Join(t.TempDir(), "cn.onnx")); code != 1 || !strings.Contains(e, "(LayerNormalization): LayerNormalization is an ONNX operator from opset 17") {
		t.Fatalf("convnext at opset 13: status %d, stderr %q", code, e)
	}
}
