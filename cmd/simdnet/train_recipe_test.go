package main

import (
	"flag"
	"io"
	"path/filepath"
	"testing"
)

// TestTrainLearningRateRecipe checks that --lr, when not given, follows the
// architecture's recipe, and that a given --lr always wins.
func TestTrainLearningRateRecipe(t *testing.T) {
	data := t.TempDir()
	out := filepath.Join(t.TempDir(), "m.safetensors")
	cases := []struct {
		args []string
		want float64
	}{
		{[]string{"--arch", "resnet50-seed"}, 0.001},
		{[]string{"--arch", "resnet8"}, 0.001},
		{[]string{"--arch", "mobilenetv2"}, 0.003},
		{[]string{"--arch", "mobilenetv2-0.35"}, 0.003},
		{[]string{"--arch", "mobilenetv2", "--lr", "0.001"}, 0.001},
		{[]string{"--arch", "resnet8", "--lr", "0.02"}, 0.02},
	}
	for _, c := range cases {
		fs := flag.NewFlagSet("train", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		f := addTrainFlags(fs)
		args := append([]string{"--data", data, "--out", out}, c.args...)
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		if err := f.check(fs); err != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		if *f.lr != c.want {
			t.Errorf("%v: learning rate %g, want %g", c.args, *f.lr, c.want)
		}
	}
}
