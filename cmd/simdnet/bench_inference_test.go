package main

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/simdnet/simdnet/bench"
	"github.com/simdnet/simdnet/models"
	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/weights"
)

// benchJSON is what bench --json prints on its last line.
type benchJSON struct {
	Bench       string  `json:"bench"`
	Arch        string  `json:"arch"`
	Model       string  `json:"model"`
	Threads     int     `json:"threads"`
	GFLOPPerImg float64 `json:"gflop_per_img"`
	FP32Bytes   int     `json:"fp32_weight_bytes"`
	PackedBytes int     `json:"packed_weight_bytes"`
	PeakRSS     int64   `json:"peak_rss_bytes"`
	Results     []struct {
		Arch       string  `json:"arch"`
		Batch      int     `json:"batch"`
		MsPerBatch float64 `json:"ms_per_batch"`
		MsPerImg   float64 `json:"ms_per_img"`
		ImgPerS    float64 `json:"img_per_s"`
		GFLOPS     float64 `json:"gflops"`
		ArenaBytes int     `json:"arena_bytes"`
	} `json:"results"`
	Profile map[string][]struct {
		What    string  `json:"what"`
		Percent float64 `json:"percent"`
	} `json:"profile"`
}

// checkBenchJSON runs a bench command line that must succeed and checks
// its JSON against the network it timed: the FLOPs and fp32 weights of g,
// one result per batch size with consistent figures.
func checkBenchJSON(t *testing.T, g *ops.Graph, wantArch string, batches []int, args ...string) benchJSON {
	t.Helper()
	code, out, errOut := run(t, args...)
	if code != 0 {
		t.Fatalf("%q: status %d\n%s%s", args, code, out, errOut)
	}
	var res benchJSON
	lastJSON(t, out, &res)
	total, _, _ := g.CountParams()
	flop := bench.ForwardFlops(g)
	switch {
	case res.Arch != wantArch || res.Threads != 1:
		t.Errorf("%q: arch %q threads %d, want %q and 1", args, res.Arch, res.Threads, wantArch)
	case flop <= 0 || math.Abs(res.GFLOPPerImg-flop/1e9) > 1e-12:
		t.Errorf("%q: gflop_per_img %v, the graph has %v", args, res.GFLOPPerImg, flop/1e9)
	case res.FP32Bytes != 4*total || res.PackedBytes <= 0:
		t.Errorf("%q: fp32 weights %d bytes (want %d), packed %d", args, res.FP32Bytes, 4*total, res.PackedBytes)
	case len(res.Results) != len(batches):
		t.Fatalf("%q: %d results, want %d", args, len(res.Results), len(batches))
	}
	for i, r := range res.Results {
		ips := float64(r.Batch) * 1e3 / r.MsPerBatch
		if r.Batch != batches[i] || r.Arch != wantArch || r.MsPerBatch <= 0 || r.ArenaBytes <= 0 ||
			math.Abs(r.ImgPerS-ips) > 1e-6*ips || math.Abs(r.MsPerImg*float64(r.Batch)-r.MsPerBatch) > 1e-9*r.MsPerBatch ||
			math.Abs(r.GFLOPS-flop*ips/1e9) > 1e-6*r.GFLOPS {
			t.Errorf("%q: result %d is %+v (batch %d of %v GFLOP each)", args, i, r, batches[i], flop/1e9)
		}
	}
	if !strings.Contains(out, wantArch+": ") {
		t.Errorf("%q: the header does not name %s:\n%s", args, wantArch, out)
	}
	return res
}

func TestBenchAnyArchitecture(t *testing.T) {
	g, err := models.Build("mobilenetv2", [3]int{32, 32, 3}, 3, bench.Seed)
	if err != nil {
		t.Fatal(err)
	}
	res := checkBenchJSON(t, g, "mobilenetv2", []int{1, 2}, "bench", "--arch", "mobilenetv2", "--input", "32x32x3",
		"--classes", "3", "--batch", "1,2", "--threads", "1", "--round", "1ms", "--profile", "--json")
	if res.Bench != "inference" || res.Model != "" {
		t.Errorf("bench %q model %q, want inference and none", res.Bench, res.Model)
	}
	steps := res.Profile["2"]
	if len(steps) == 0 || !strings.HasPrefix(steps[0].What, "conv2d 3x3/2") {
		t.Errorf("profile of batch 2: %+v", steps)
	}
}

func TestBenchModelFile(t *testing.T) {
	// A registered architecture saved with its configuration.
	path := tinyModelFile(t)
	m, err := weights.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	res := checkBenchJSON(t, m.Graph, "resnet8", []int{3}, "bench", "--model", path, "--batch", "3", "--threads", "1", "--round", "1ms", "--json")
	if res.Model != path || res.Bench != "inference" {
		t.Errorf("bench %q model %q, want inference and %s", res.Bench, res.Model, path)
	}
	// The flags for bare weights may repeat what the file says.
	checkBenchJSON(t, m.Graph, "resnet8", []int{1}, "bench", "resnet50", "--model", path, "--arch", "resnet8",
		"--input", "32x32x3", "--classes", "2", "--batch", "1", "--threads", "1", "--round", "1ms", "--json")

	// A graph no registry knows, carried by the file: named by the file.
	g := ops.NewGraph(4)
	x := g.Input("in", 12, 10, 3)
	x = g.Conv2D(x, ops.Conv2DConfig{Name: "conv", Filters: 8, KernelSize: [2]int{3, 3}, Padding: ops.Same, Activation: ops.ReLU})
	x = g.DepthwiseConv2D(x, ops.DepthwiseConv2DConfig{Name: "dw", KernelSize: [2]int{3, 3}, Strides: [2]int{2, 2}, DepthMultiplier: 2})
	x = g.Dense(g.GlobalAveragePooling2D(x), ops.DenseConfig{Name: "head", Units: 4, Activation: ops.Softmax})
	g.SetOutput(x)
	if err := g.Build(); err != nil {
		t.Fatal(err)
	}
	custom := filepath.Join(t.TempDir(), "custom.safetensors")
	if err := weights.Save(custom, g); err != nil {
		t.Fatal(err)
	}
	checkBenchJSON(t, g, "custom.safetensors", []int{1, 5}, "bench", "--model", custom, "--batch", "1,5", "--threads", "1", "--round", "1ms", "--json")
}

func TestBenchRejectsBadFlags(t *testing.T) {
	model := tinyModelFile(t)
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.safetensors")
	if err := os.WriteFile(junk, []byte("not a model"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		want string
		args []string
	}{
		{`--arch must be `, []string{"bench", "--arch", "vgg16"}},
		{`mobilenetv2`, []string{"bench", "--arch", "vgg16"}}, // the list names every registered one
		{"--input must be HxWxC", []string{"bench", "--arch", "mobilenetv2", "--input", "224x224"}},
		{"--input must be HxWxC", []string{"bench", "--input", "0x32x3"}},
		{"--input must be HxWxC", []string{"bench", "--input", "4096x32x3"}},
		{"--classes must be between 1 and 100000, got 0", []string{"bench", "--classes", "0"}},
		{"--classes must be between 1 and 100000, got 200000", []string{"bench", "--classes", "200000"}},
		{"--arch mobilenetv2 --input 16x16x3", []string{"bench", "--arch", "mobilenetv2", "--input", "16x16x3"}},
		{"--batch must be a comma-separated list", []string{"bench", "--arch", "mobilenetv2", "--batch", "1,,2"}},
		{"--batch 4096 needs", []string{"bench", "--arch", "resnet8", "--input", "2048x2048x3", "--classes", "2", "--batch", "4096"}},
		{"--threads must be between 0 and 1024, got 2000", []string{"bench", "--arch", "mobilenetv2", "--threads", "2000"}},
		{"--round must be positive", []string{"bench", "--arch", "mobilenetv2", "--round", "-1ms"}},
		{"-round", []string{"bench", "--round", "soon"}},
		{"--model " + filepath.Join(dir, "missing") + ": no such file", []string{"bench", "--model", filepath.Join(dir, "missing")}},
		{"--model " + dir + ": is a folder", []string{"bench", "resnet50", "--model", dir}},
		{"--arch resnet18, but the model file is a resnet8", []string{"bench", "--model", model, "--arch", "resnet18"}},
		{"--input 64x64x3, but the model file takes 32x32x3", []string{"bench", "--model", model, "--input", "64x64x3"}},
		{"--classes gives 6 classes, but the model file has 2", []string{"bench", "--model", model, "--classes", "6"}},
		{`unexpected argument "32"`, []string{"bench", "--arch", "mobilenetv2", "32"}},
	} {
		runUsage(t, c.want, c.args...)
	}
	// A file that is no model fails with an error naming it, not a usage
	// error: the flags were right, the file is wrong.
	code, out, errOut := run(t, "bench", "--model", junk)
	if code != 1 || out != "" || !strings.Contains(errOut, junk) || strings.Count(errOut, "\n") != 1 {
		t.Errorf("bench --model junk: status %d, stdout %q, stderr %q", code, out, errOut)
	}
}
