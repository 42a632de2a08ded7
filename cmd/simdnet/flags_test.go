package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/simdnet/simdnet/gemm"
	"github.com/simdnet/simdnet/resnet"
	"github.com/simdnet/simdnet/weights"
)

// tinyModelFile saves an untrained ResNet8 for 32×32 images of two classes.
func tinyModelFile(t *testing.T) string {
	t.Helper()
	cfg := resnet.Config{Arch: "resnet8", InputShape: [3]int{32, 32, 3}, Classes: 2, Seed: 3}
	g, err := cfg.Build()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "tiny.safetensors")
	if err := weights.Save(path, g, weights.WithArch(cfg), weights.WithClasses("0", "1")); err != nil {
		t.Fatal(err)
	}
	return path
}

// runUsage runs a command line that must be refused: exit status 2, one
// line on stderr that starts with the command and contains want, nothing
// on stdout, and no panic.
func runUsage(t *testing.T, want string, args ...string) {
	t.Helper()
	var code int
	var out, errOut string
	func() {
		defer func() {
			if r := recover(); r != nil {
				t.Fatalf("%q panicked: %v", args, r)
			}
		}()
		code, out, errOut = run(t, args...)
	}()
	prefix := "simdnet " + args[0] + ": "
	lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
	switch {
	case code != 2:
		t.Errorf("%q: status %d, want 2; stderr %q", args, code, errOut)
	case len(lines) != 1 || !strings.HasPrefix(errOut, prefix):
		t.Errorf("%q: want one line starting %q on stderr, got %q", args, prefix, errOut)
	case !strings.Contains(errOut, want):
		t.Errorf("%q: stderr %q does not say %q", args, errOut, want)
	case out != "":
		t.Errorf("%q: printed %q on stdout before refusing", args, out)
	}
}

func TestEveryCommandRejectsBadFlags(t *testing.T) {
	tmp := t.TempDir()
	signs := writeSigns(t)
	model := tinyModelFile(t)
	photo := filepath.Join(signs, "1_IMG_b.png")
	missing := filepath.Join(tmp, "missing")
	noDir := filepath.Join(tmp, "no-such-folder", "x")
	leftover := filepath.Join(tmp, "left.ckpt")
	if err := os.WriteFile(leftover, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	h5 := filepath.Join(tmp, "in.h5")
	if err := os.WriteFile(h5, []byte("not really"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(tmp, "m.safetensors")
	train := func(args ...string) []string {
		return append([]string{"train", "--data", signs, "--out", out}, args...)
	}

	cases := []struct {
		want string
		args []string
	}{
		{`unknown benchmark "frob"`, []string{"bench", "frob"}},
		{"--threads must be between 0 and 1024, got -1", []string{"bench", "gemm", "--threads", "-1"}},
		{"--threads must be between 0 and 1024, got 5000", []string{"bench", "gemm", "--threads", "5000"}},
		{"-threads", []string{"bench", "gemm", "--threads", "many"}},
		{"--round must be positive, got 0s", []string{"bench", "gemm", "--round", "0"}},
		{"--round must be positive, got -1s", []string{"bench", "gemm", "--round", "-1s"}},
		{`--kernel "avx9" is not available`, []string{"bench", "gemm", "--kernel", "avx9"}},
		{`--kernel "avx512" is not an int8 kernel`, []string{"bench", "gemm", "--int8", "--kernel", "avx512"}},
		{`--shapes "(" is not a regular expression`, []string{"bench", "gemm", "--shapes", "("}},
		{`--shapes "zzz" matches no shape`, []string{"bench", "gemm", "--shapes", "zzz"}},
		{"flag provided but not defined: -bogus", []string{"bench", "gemm", "--bogus"}},
		{`unexpected argument "8"`, []string{"bench", "gemm", "8"}},
		{"--batch must be a comma-separated list of batch sizes 1 to 4096", []string{"bench", "resnet50", "--batch", "0"}},
		{`got "1,x"`, []string{"bench", "resnet50", "--batch", "1,x"}},
		{`got "100000"`, []string{"bench", "resnet50", "--batch", "100000"}},
		{"--threads must be between 0 and 1024, got -1", []string{"bench", "resnet50", "--threads", "-1"}},
		{`--arch must be `, []string{"bench", "resnet50", "--arch", "vgg"}},
		{"--round must be positive", []string{"bench", "resnet50", "--round", "0s"}},
		{"--batch must be between 1 and 4096, got 0", []string{"bench", "train", "--batch", "0"}},
		{"--steps must be between 1 and 1000000, got 0", []string{"bench", "train", "--steps", "0"}},
		{"--threads must be between 0 and 1024, got -2", []string{"bench", "train", "--threads", "-2"}},

		{"want two files, in.h5 and out.safetensors; got 0", []string{"convert"}},
		{"got 1 arguments", []string{"convert", h5}},
		{"in.h5 " + missing + ": no such file", []string{"convert", missing, out}},
		{"out.safetensors " + noDir + ": folder", []string{"convert", h5, noDir}},
		{"out.safetensors " + h5 + " is the input file", []string{"convert", h5, h5}},
		{`--arch must be `, []string{"convert", "--arch", "vgg", h5, out}},
		{`--input must be HxWxC`, []string{"convert", "--input", "1x2", h5, out}},
		{`--classes: class name 2 of "a,,b" is empty`, []string{"convert", "--classes", "a,,b", h5, out}},
		{`--classes: class name "a" appears twice`, []string{"convert", "--classes", "a,b,a", h5, out}},

		{"--batch must be between 1 and 4096, got -5", []string{"eval", "--model", model, "--data", signs, "--batch", "-5"}},
		{"--batch must be between 1 and 4096, got -5", []string{"eval", "--batch", "-5"}},
		{"--batch must be between 1 and 4096, got 0", []string{"eval", "--model", model, "--data", signs, "--batch", "0"}},
		{"--model " + missing + ": no such file", []string{"eval", "--model", missing, "--data", signs}},
		{"--model " + tmp + ": is a folder", []string{"eval", "--model", tmp, "--data", signs}},
		{"--data " + missing + ": no such file", []string{"eval", "--model", model, "--data", missing}},
		{"--arch must be ", []string{"eval", "--model", model, "--data", signs, "--arch", "vgg"}},
		{"--input must be HxWxC", []string{"eval", "--model", model, "--data", signs, "--input", "64x64"}},
		{"--classes must be between 1 and 100000, got 0", []string{"eval", "--model", model, "--data", signs, "--classes", "0"}},
		{"--arch resnet18, but the model file is a resnet8", []string{"eval", "--model", model, "--data", signs, "--arch", "resnet18"}},
		{"--input 16x16x3, but the model file takes 32x32x3", []string{"eval", "--model", model, "--data", signs, "--input", "16x16x3"}},
		{`unexpected argument "x"`, []string{"eval", "--model", model, "--data", signs, "x"}},

		{`unexpected argument "now"`, []string{"kernels", "now"}},

		{"--top must be between 1 and 1000000, got -1", []string{"predict", "--model", model, "--top", "-1", photo}},
		{"--top must be between 1 and 1000000, got -1", []string{"predict", "--top", "-1", "x.jpg"}},
		{"--top must be between 1 and 1000000, got 0", []string{"predict", "--model", model, "--top", "0", photo}},
		{"no image given", []string{"predict", "--model", model}},
		{"image " + missing + ": no such file", []string{"predict", "--model", model, missing}},
		{"image " + signs + ": is a folder", []string{"predict", "--model", model, signs}},
		{"--model " + missing + ": no such file", []string{"predict", "--model", missing, photo}},
		{`--classes: class name "b" appears twice`, []string{"predict", "--model", model, "--classes", "b,b", photo}},
		{"--input must be HxWxC", []string{"predict", "--model", model, "--input", "0x1x1", photo}},
		{"--classes gives 3 classes, but the model file has 2", []string{"predict", "--model", model, "--classes", "a,b,c", photo}},

		{"--arch must be ", []string{"summary", "--arch", "vgg"}},
		{"--classes must be between 1 and 100000, got 0", []string{"summary", "--classes", "0"}},
		{"--classes must be between 1 and 100000, got 1000000000", []string{"summary", "--classes", "1000000000"}},
		{"--input must be HxWxC with sides 1 to 2048 and 1 to 1024 channels", []string{"summary", "--input", "99999x1x3"}},
		// 17,946,496 weights without the classifier (the tutorial's 17,958,790
		// less 6 × 2049), 2048·(2048/64)² + 1 per class.
		{"--input 2048x2048x3 with 100000 classes makes a resnet50-seed of 209733246496 parameters (2097153 per class), more than the 1073741824",
			[]string{"summary", "--input", "2048x2048x3", "--classes", "100000"}},
		{"--input 2048x2048x3 with 100000 classes makes a resnet8 of",
			[]string{"predict", "--model", stripMetadata(t, model), "--arch", "resnet8", "--input", "2048x2048x3", "--classes", "100000", photo}},
		{`unexpected argument "resnet8"`, []string{"summary", "resnet8"}},
		{"--svg " + noDir + ": folder", []string{"graph", "--svg", noDir}},
		{"--arch must be ", []string{"graph", "--arch", "vgg"}},

		{"--epochs must be between 1 and 1000000, got 0", train("--epochs", "0")},
		{"--epochs must be between 1 and 1000000, got -1", train("--epochs", "-1")},
		{"--batch must be between 1 and 4096, got 0", train("--batch", "0")},
		{"--batch must be between 1 and 4096, got 99999", train("--batch", "99999")},
		{"--lr must be a positive finite number, got 0", train("--lr", "0")},
		{"--lr must be a positive finite number, got -1", train("--lr", "-1")},
		{"--lr must be a positive finite number, got NaN", train("--lr", "NaN")},
		{"--lr must be a positive finite number, got +Inf", train("--lr", "Inf")},
		{`--schedule must be cosine or constant, got "linear"`, train("--schedule", "linear")},
		{"--arch must be ", train("--arch", "vgg")},
		{"--threads must be between 0 and 1024, got -1", train("--threads", "-1")},
		{"--data " + missing + ": no such file", []string{"train", "--data", missing}},
		{"--test " + missing + ": no such file", train("--test", missing)},
		{"--out " + tmp + ": is a folder", train("--out", tmp)},
		{"--out " + noDir + ": folder", train("--out", noDir)},
		{"--checkpoint " + noDir + ": folder", train("--checkpoint", noDir)},
		{"--plot " + noDir + ": folder", train("--plot", noDir)},
		{"--out and --checkpoint are the same file", train("--checkpoint", out)},
		{"--out and --data are the same file", []string{"train", "--data", h5, "--out", h5}},
		{"--resume-anyway goes with --resume", train("--resume-anyway")},
		{"--checkpoint " + leftover + " exists, left by a run that did not finish: add --resume", train("--checkpoint", leftover)},
		{`unexpected argument "20"`, train("20")},
		{"-epochs", train("--epochs", "ten")},
	}
	if n := len(gemm.Kernels()); n > 1 { // purego builds have the generic kernel alone
		cases = append(cases, struct {
			want string
			args []string
		}{fmt.Sprintf("--sweep tunes one kernel; --kernel all names %d", n), []string{"bench", "gemm", "--sweep", "--kernel", "all"}})
	}
	for _, c := range cases {
		runUsage(t, c.want, c.args...)
	}
}
