package main

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/simdnet/simdnet/onnx"
	"github.com/simdnet/simdnet/ops"
)

// writePNG writes a w×h test photo with a colour gradient.
func writePNG(t *testing.T, w, h int) (string, *image.NRGBA) {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.NRGBA{uint8(8 * x), uint8(255 - 7*y), uint8((x * y) % 256), 255})
		}
	}
	path := filepath.Join(t.TempDir(), "photo.png")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	return path, img
}

// TestPredictONNXPreprocessing: predict on an ONNX file with --mean,
// --std and --labels gives the softmax of the logits that the file's
// layer-by-layer forward pass gives for the same normalised NCHW pixels,
// computed here with plain loops.
func TestPredictONNXPreprocessing(t *testing.T) {
	model := filepath.Join(onnxTestdata, "tiny_resnet_op13.onnx")
	photo, img := writePNG(t, 32, 32)
	mean := [3]float64{0.485, 0.456, 0.406}
	std := [3]float64{0.229, 0.224, 0.225}
	x := ops.NewTensor(1, 3, 32, 32)
	for c := range 3 {
		for y := range 32 {
			for xx := range 32 {
				p := img.NRGBAAt(xx, y)
				v := [3]uint8{p.R, p.G, p.B}[c]
				x.Data[(c*32+y)*32+xx] = float32((float64(v)/255 - mean[c]) / std[c])
			}
		}
	}
	om, err := onnx.Load(model, onnx.Options{})
	if err != nil {
		t.Fatal(err)
	}
	logits, err := om.Forward(x)
	if err != nil {
		t.Fatal(err)
	}
	probs := make([]float64, len(logits.Data))
	best, sum := 0, 0.0
	for i, v := range logits.Data {
		probs[i] = math.Exp(float64(v))
		sum += probs[i]
		if v > logits.Data[best] {
			best = i
		}
	}
	names := make([]string, 10)
	for i := range names {
		names[i] = fmt.Sprintf("class_%c", 'a'+i)
	}
	labels := filepath.Join(t.TempDir(), "labels.txt")
	os.WriteFile(labels, []byte(strings.Join(names, "\n")+"\n\n"), 0o644)
	code, out, e := run(t, "predict", "--model", model, "--mean", "0.485,0.456,0.406", "--std", "0.229, 0.224, 0.225",
		"--labels", labels, "--top", "1", "--json", photo)
	if code != 0 {
		t.Fatalf("status %d, stderr %s", code, e)
	}
	var res struct {
		Results []struct {
			Predictions []struct {
				Index       int     `json:"index"`
				Class       string  `json:"class"`
				Probability float64 `json:"probability"`
			} `json:"predictions"`
		} `json:"results"`
	}
	lastJSON(t, out, &res)
	got := res.Results[0].Predictions[0]
	want := probs[best] / sum
	if got.Index != best || got.Class != names[best] || math.Abs(got.Probability-want) > 1e-5 {
		t.Fatalf("top class %+v, want %d %s %.6f", got, best, names[best], want)
	}
	// Without the normalisation the logits differ: the flags are applied.
	_, plain, _ := run(t, "predict", "--model", model, "--labels", labels, "--top", "1", "--json", photo)
	lastJSON(t, plain, &res)
	if p := res.Results[0].Predictions[0].Probability; math.Abs(p-got.Probability) < 1e-6 {
		t.Errorf("--mean and --std changed nothing (%.6f)", p)
	}
	// --size lowers a fully convolutional file at another size.
	if code, out, e := run(t, "predict", "--model", model, "--size", "48", photo); code != 0 || !strings.Contains(out, photo+":") {
		t.Fatalf("--size 48: status %d, stderr %s", code, e)
	}
	short := filepath.Join(t.TempDir(), "short.txt")
	os.WriteFile(short, []byte("a\nb\n"), 0o644)
	if code, _, e := run(t, "predict", "--model", model, "--labels", short, photo); code != 1 || !strings.Contains(e, "names 2 classes, but --model") {
		t.Fatalf("2 labels for 10 classes: status %d, stderr %q", code, e)
	}
	runUsage(t, "--mean \"1,2\": want three", "predict", "--model", model, "--mean", "1,2", photo)
	runUsage(t, "is not a positive number", "predict", "--model", model, "--std", "1,0,1", photo)
	runUsage(t, "--size must be between", "predict", "--model", model, "--size", "-3", photo)
	runUsage(t, "--arch resnet8 is for bare weights", "predict", "--model", model, "--arch", "resnet8", photo)
	runUsage(t, "--labels", "predict", "--model", model, "--labels", filepath.Join(t.TempDir(), "none.txt"), photo)
	// A simdnet model file is built for its size.
	runUsage(t, "--size 48, but --model", "predict", "--model", tinyModelFile(t), "--size", "48", photo)
}
