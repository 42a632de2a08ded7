package main

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/simdnet/simdnet"
	"github.com/simdnet/simdnet/internal/npy"
	"github.com/simdnet/simdnet/onnx"
	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/weights"
)

// nchwToNHWC copies an N×C×H×W batch into N×H×W×C.
func nchwToNHWC(x *ops.Tensor) *ops.Tensor {
	n, c, h, w := x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3]
	y := ops.NewTensor(n, h, w, c)
	for b := range n {
		for ch := range c {
			for p := range h * w {
				y.Data[(b*h*w+p)*c+ch] = x.Data[(b*c+ch)*h*w+p]
			}
		}
	}
	return y
}

// TestConvertONNX: convert writes a simdnet model file that loads like any
// other and, fed the fixture's batch in NHWC through simdnet run, gives
// PyTorch's logits; with --classes and --f16 the names and the smaller
// file follow.
func TestConvertONNX(t *testing.T) {
	for _, name := range []string{"tiny_resnet_op17", "tiny_mobilenet_v3_op13", "flatten_head_op11", "tiny_efficientnet_op17"} {
		t.Run(name, func(t *testing.T) {
			model, in, want := onnxFixture(t, name)
			st := filepath.Join(t.TempDir(), "m.safetensors")
			if code, out, e := run(t, "convert", model, st); code != 0 || !strings.Contains(out, "wrote "+st) {
				t.Fatalf("convert: status %d, stderr %s", code, e)
			}
			m, err := weights.Load(st)
			if err != nil {
				t.Fatal(err)
			}
			if m.Meta["onnx.source"] != name+".onnx" || m.Meta["onnx.softmax_added"] != "true" {
				t.Errorf("meta %v", m.Meta)
			}
			m.Close()
			x := writeNpy(t, nchwToNHWC(in))
			y := filepath.Join(t.TempDir(), "y.npy")
			if code, _, e := run(t, "run", "--logits", "--model", st, "--input", x, "--output", y); code != 0 {
				t.Fatalf("run: status %d, stderr %s", code, e)
			}
			got, err := npy.ReadFile(y)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Shape, []int(want.Shape)) {
				t.Fatalf("shape %v, want %v", got.Shape, want.Shape)
			}
			if d := relDiff(got.Data, want.Data); d > 1e-4 {
				t.Errorf("converted file: max |run --logits − PyTorch| / max |PyTorch| = %.3g", d)
			}
			// Without --logits: the softmax of PyTorch's logits, as a
			// simdnet model file gives.
			if code, _, e := run(t, "run", "--model", st, "--input", x, "--output", y); code != 0 {
				t.Fatalf("run: status %d, stderr %s", code, e)
			}
			probs, err := npy.ReadFile(y)
			if err != nil {
				t.Fatal(err)
			}
			k := want.Shape[1]
			soft := slices.Clone(want.Data)
			for b := range want.Shape[0] {
				softmax(soft[b*k : (b+1)*k])
			}
			if d := relDiff(probs.Data, soft); d > 1e-4 {
				t.Errorf("converted file: probabilities differ from PyTorch's softmax by %.3g", d)
			}
		})
	}
	model := filepath.Join(onnxTestdata, "tiny_resnet_op13.onnx")
	dir := t.TempDir()
	// simdnet.Load reads the converted file like any model file: Predict's
	// probabilities add up to 1.
	conv := filepath.Join(dir, "loaded.safetensors")
	if code, _, e := run(t, "convert", model, conv); code != 0 {
		t.Fatal(e)
	}
	sm, err := simdnet.Load(conv)
	if err != nil {
		t.Fatal(err)
	}
	_, img := writePNG(t, 40, 30)
	preds, err := sm.Predict(img)
	sm.Close()
	if err != nil || len(preds) != 10 {
		t.Fatalf("Predict: %v, %d classes", err, len(preds))
	}
	sum := 0.0
	for _, p := range preds {
		sum += float64(p.Probability)
	}
	if math.Abs(sum-1) > 1e-5 {
		t.Errorf("the converted file's probabilities add up to %v", sum)
	}
	f32, f16 := filepath.Join(dir, "a.safetensors"), filepath.Join(dir, "b.safetensors")
	names := "a,b,c,d,e,f,g,h,i,j"
	if code, _, e := run(t, "convert", "--classes", names, model, f32); code != 0 {
		t.Fatal(e)
	}
	if code, _, e := run(t, "convert", "--f16", "--input", "48x40x3", model, f16); code != 0 {
		t.Fatal(e)
	}
	m, err := weights.Load(f32)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(m.Classes, ",") != names {
		t.Errorf("classes %v", m.Classes)
	}
	m16, err := weights.Load(f16)
	if err != nil {
		t.Fatal(err)
	}
	if !m16.Graph.InputNode().Shape.Equal(ops.Shape{48, 40, 3}) {
		t.Errorf("--input 48x40x3 gave input %v", m16.Graph.InputNode().Shape)
	}
	a, _ := os.Stat(f32)
	b, _ := os.Stat(f16)
	if b.Size() >= a.Size()*3/4 {
		t.Errorf("--f16 file %d bytes, float32 file %d", b.Size(), a.Size())
	}
	runUsage(t, "--arch resnet8 is for .h5 files", "convert", "--arch", "resnet8", model, f32)
	runUsage(t, "is the input file", "convert", model, model)
	runUsage(t, "--classes gives 3 classes, but the ONNX file", "convert", "--classes", "3", model, f32)
	bad := filepath.Join(dir, "bad.onnx")
	os.WriteFile(bad, []byte("\x0a\xff\xff\xff\xff\x0f"), 0o644)
	if code, _, e := run(t, "convert", bad, f32); code != 1 || !strings.Contains(e, "bad.onnx") {
		t.Fatalf("a hostile .onnx: status %d, stderr %q", code, e)
	}
}

// TestSummaryONNX: summary --model prints the file's description and the
// lowered network's layers with their parameter count, which is the
// file's weights' count.
func TestSummaryONNX(t *testing.T) {
	model := filepath.Join(onnxTestdata, "tiny_resnet_op13.onnx")
	code, out, e := run(t, "summary", "--model", model)
	if code != 0 {
		t.Fatalf("status %d, stderr %s", code, e)
	}
	om, err := onnx.Load(model, onnx.Options{})
	if err != nil {
		t.Fatal(err)
	}
	total, _, _ := om.Graph.CountParams()
	if !strings.Contains(out, "opset 13") || !strings.Contains(out, "(3, 32, 32)") || !strings.Contains(out, "Total params: "+commas(total)) {
		t.Fatalf("summary:\n%s", out)
	}
	runUsage(t, "--model", "summary", "--model", filepath.Join(t.TempDir(), "none.onnx"))
	// A simdnet model file too.
	if code, out, _ := run(t, "summary", "--model", tinyModelFile(t)); code != 0 || !strings.Contains(out, "Total params") {
		t.Fatalf("summary of a simdnet file: status %d\n%s", code, out)
	}
}

// commas formats n as Summary does: 28,618.
func commas(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// TestBenchONNX: bench --model times an ONNX file with the fields of bench
// resnet50's JSON.
func TestBenchONNX(t *testing.T) {
	model := filepath.Join(onnxTestdata, "tiny_mobilenet_v2_op13.onnx")
	code, out, e := run(t, "bench", "--model", model, "--batch", "1,4", "--threads", "1", "--round", "5ms", "--json")
	if code != 0 {
		t.Fatalf("status %d, stderr %s\n%s", code, e, out)
	}
	var res struct {
		Bench   string `json:"bench"`
		Arch    string `json:"arch"`
		Model   string `json:"model"`
		Threads int    `json:"threads"`
		Results []struct {
			Batch      int     `json:"batch"`
			MsPerBatch float64 `json:"ms_per_batch"`
			ImgPerS    float64 `json:"img_per_s"`
			GFLOPS     float64 `json:"gflops"`
		} `json:"results"`
		PackedWeightBytes int     `json:"packed_weight_bytes"`
		GFLOPPerImg       float64 `json:"gflop_per_img"`
	}
	lastJSON(t, out, &res)
	if res.Bench != "inference" || res.Arch != "tiny_mobilenet_v2_op13.onnx" || res.Model != model || res.Threads != 1 ||
		len(res.Results) != 2 || res.Results[1].Batch != 4 || res.Results[1].ImgPerS <= 0 || res.PackedWeightBytes <= 0 || res.GFLOPPerImg <= 0 {
		t.Fatalf("bench JSON %+v", res)
	}
	runUsage(t, "--arch resnet8 is for bare weights", "bench", "--model", model, "--arch", "resnet8")
}
