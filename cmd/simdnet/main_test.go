package main

import (
	"bytes"
	"encoding/json"
	"github.com/simdnet/simdnet/gemm"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// run runs the command in-process and returns its exit status and output.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := runMain(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// lastJSON decodes the JSON object on the last line of out.
func lastJSON(t *testing.T, out string, v any) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), v); err != nil {
		t.Fatalf("last line is not JSON: %v\n%s", err, out)
	}
}

func TestHelpAndUnknownCommand(t *testing.T) {
	code, out, _ := run(t, "help")
	if code != 0 || !strings.Contains(out, "train") || !strings.Contains(out, "predict") {
		t.Fatalf("help: status %d, output\n%s", code, out)
	}
	code, _, errOut := run(t, "frobnicate")
	if code != 2 || !strings.Contains(errOut, `unknown command "frobnicate"`) {
		t.Fatalf("unknown command: status %d, stderr %q", code, errOut)
	}
	code, out, _ = run(t, "train", "-h")
	if code != 0 || !strings.Contains(out, "-epochs") {
		t.Fatalf("train -h: status %d, output\n%s", code, out)
	}
}

func TestSummaryTotals(t *testing.T) {
	code, out, _ := run(t, "summary")
	if code != 0 || !strings.Contains(out, "Total params: 17,958,790") || !strings.Contains(out, "Non-trainable params: 51,072") {
		t.Fatalf("summary: status %d, output ends\n%s", code, out[max(0, len(out)-300):])
	}
	code, out, _ = run(t, "summary", "--arch", "resnet50")
	if code != 0 || !strings.Contains(out, "Total params: 23,600,006") {
		t.Fatalf("summary --arch resnet50: status %d", code)
	}
	code, _, errOut := run(t, "summary", "--input", "64x64")
	if code != 2 || !strings.Contains(errOut, "HxWxC") {
		t.Fatalf("bad --input: status %d, stderr %q", code, errOut)
	}
}

func TestBenchGEMMJSON(t *testing.T) {
	code, out, _ := run(t, "bench", "gemm", "--shapes", "^square/256$", "--kernel", "all", "--round", "5ms", "--json")
	if code != 0 {
		t.Fatalf("bench gemm: status %d\n%s", code, out)
	}
	var res struct {
		Results []struct {
			Shape  string  `json:"shape"`
			GFLOPS float64 `json:"gflops"`
		} `json:"results"`
	}
	lastJSON(t, out, &res)
	if len(res.Results) == 0 || res.Results[0].Shape != "square/256" || res.Results[0].GFLOPS <= 0 {
		t.Fatalf("bench gemm JSON: %+v", res)
	}
}

// bench gemm --int8 times every int8 kernel (and says which has a peak).
func TestBenchGEMMInt8JSON(t *testing.T) {
	code, out, _ := run(t, "bench", "gemm", "--int8", "--shapes", "^resnet/b1-s2-3x3$", "--kernel", "all", "--round", "5ms", "--json")
	if code != 0 {
		t.Fatalf("bench gemm --int8: status %d\n%s", code, out)
	}
	var res struct {
		Bench   string `json:"bench"`
		Results []struct {
			Shape  string  `json:"shape"`
			Kernel string  `json:"kernel"`
			GOPS   float64 `json:"gops"`
		} `json:"results"`
	}
	lastJSON(t, out, &res)
	if res.Bench != "gemm-int8" || len(res.Results) != len(gemm.QKernels()) {
		t.Fatalf("bench gemm --int8 JSON: %+v, want one result per int8 kernel", res)
	}
	for _, r := range res.Results {
		if r.Shape != "resnet/b1-s2-3x3" || r.GOPS <= 0 {
			t.Fatalf("bench gemm --int8 result %+v", r)
		}
	}
	if code, _, errOut := run(t, "bench", "gemm", "--int8", "--sweep"); code != 2 || !strings.Contains(errOut, "--int8") {
		t.Fatalf("--int8 --sweep: status %d, stderr %q", code, errOut)
	}
}

func TestBenchResNetProfileJSON(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles the seed ResNet50")
	}
	code, out, _ := run(t, "bench", "resnet50", "--batch", "1", "--round", "5ms", "--profile", "--json")
	if code != 0 || !strings.Contains(out, "fused step (batch 1") {
		t.Fatalf("bench resnet50 --profile: status %d\n%s", code, out)
	}
	var res struct {
		Profile map[string][]struct {
			Step    int     `json:"step"`
			What    string  `json:"what"`
			Ms      float64 `json:"ms"`
			Percent float64 `json:"percent"`
		} `json:"profile"`
	}
	lastJSON(t, out, &res)
	steps := res.Profile["1"]
	if len(steps) != 56 || !strings.HasPrefix(steps[0].What, "conv2d 7x7/2") {
		t.Fatalf("profile of batch 1: %d steps, first %+v", len(steps), steps)
	}
	sum := 0.0
	for _, s := range steps {
		sum += s.Percent
	}
	if sum < 99.9 || sum > 100.1 {
		t.Fatalf("step shares add up to %.2f%%", sum)
	}
}

// writeSigns writes a tiny flat image folder: two classes, bright or dark.
func writeSigns(t *testing.T) string {
	dir := t.TempDir()
	for i := 0; i < 8; i++ {
		label := i % 2
		img := image.NewRGBA(image.Rect(0, 0, 20, 16))
		for p := 0; p < len(img.Pix); p += 4 {
			v := uint8(40 + 160*label + i)
			img.Pix[p], img.Pix[p+1], img.Pix[p+2], img.Pix[p+3] = v, v/2, 255-v, 255
		}
		img.Set(i, i, color.White)
		f, err := os.Create(filepath.Join(dir, []string{"0", "1"}[label]+"_IMG_"+string(rune('a'+i))+".png"))
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(f, img); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	return dir
}

// TestTrainEvalPredict runs the tutorial's workflow on a tiny folder: train
// one epoch of ResNet8, save, evaluate and predict with the saved model.
func TestTrainEvalPredict(t *testing.T) {
	dir := writeSigns(t)
	model := filepath.Join(t.TempDir(), "m.safetensors")
	code, out, errOut := run(t, "train", "--data", dir, "--test", dir, "--arch", "resnet8", "--epochs", "2",
		"--batch", "4", "--out", model, "--plot", filepath.Join(t.TempDir(), "c.png"), "--json")
	if code != 0 {
		t.Fatalf("train: status %d, stderr %s\n%s", code, errOut, out)
	}
	var sum trainSummary
	lastJSON(t, out, &sum)
	if sum.Epochs != 2 || len(sum.EpochSeconds) != 2 || sum.TestCount != 8 || !strings.Contains(out, "test: loss") {
		t.Fatalf("train summary %+v\n%s", sum, out)
	}
	code, out, errOut = run(t, "eval", "--model", model, "--data", dir)
	if code != 0 || !strings.Contains(out, "confusion matrix") {
		t.Fatalf("eval: status %d, stderr %s\n%s", code, errOut, out)
	}
	photo := filepath.Join(dir, "1_IMG_b.png")
	code, out, errOut = run(t, "predict", "--model", model, "--top", "2", "--json", photo)
	if code != 0 || !strings.Contains(out, photo+":") {
		t.Fatalf("predict: status %d, stderr %s\n%s", code, errOut, out)
	}
	code, _, errOut = run(t, "predict", "--model", model)
	if code != 2 || !strings.Contains(errOut, "no image given") {
		t.Fatalf("predict without images: status %d, stderr %q", code, errOut)
	}
	code, _, errOut = run(t, "predict", "--model", model, filepath.Join(dir, "missing.jpg"))
	if code != 2 || !strings.Contains(errOut, "missing.jpg") {
		t.Fatalf("predict of a missing file: status %d, stderr %q", code, errOut)
	}
}

func TestTrainRejectsBadFlags(t *testing.T) {
	code, _, errOut := run(t, "train", "--epochs", "0")
	if code != 2 || !strings.Contains(errOut, "--epochs") {
		t.Fatalf("status %d, stderr %q", code, errOut)
	}
	code, _, errOut = run(t, "train", "--data", filepath.Join(t.TempDir(), "nothing"))
	if code != 2 || !strings.Contains(errOut, "nothing") {
		t.Fatalf("status %d, stderr %q", code, errOut)
	}
}
