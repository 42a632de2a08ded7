package ops

import (
	"bytes"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// smallResidual builds a miniature of the tutorial's ResNet: a stem, one
// convolutional block with a shortcut, and a softmax head.
func smallResidual(seed uint64) *Graph {
	g := NewGraph(seed)
	g.Name = "Small"
	x := g.Input("", 9, 9, 3)
	x = g.ZeroPadding2D(x, 1, 1)
	x = g.Conv2D(x, Conv2DConfig{Name: "conv1", Filters: 4, KernelSize: [2]int{3, 3}, Strides: [2]int{2, 2}})
	x = g.BatchNormalization(x, "bn_conv1")
	x = g.Activation(x, ReLU)
	shortcut := x
	x = g.Conv2D(x, Conv2DConfig{Name: "res2a_branch2a", Filters: 2, KernelSize: [2]int{1, 1}})
	x = g.BatchNormalization(x, "bn2a_branch2a")
	x = g.Activation(x, ReLU)
	x = g.Conv2D(x, Conv2DConfig{Name: "res2a_branch2b", Filters: 6, KernelSize: [2]int{3, 3}, Padding: Same})
	shortcut = g.Conv2D(shortcut, Conv2DConfig{Name: "res2a_branch1", Filters: 6, KernelSize: [2]int{1, 1}})
	x = g.Add(x, shortcut)
	x = g.Activation(x, ReLU)
	x = g.MaxPooling2D(x, Pool2DConfig{PoolSize: [2]int{2, 2}})
	x = g.Flatten(x)
	x = g.Dense(x, DenseConfig{Name: "fc3", Units: 3, Activation: Softmax})
	g.SetOutput(x)
	return g
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n%s", name, got)
	}
}

func TestSummaryGolden(t *testing.T) {
	g := smallResidual(0)
	if err := g.Build(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := g.Summary(&buf); err != nil {
		t.Fatal(err)
	}
	golden(t, "summary_small.golden", buf.Bytes())
}

func TestDOTGolden(t *testing.T) {
	g := smallResidual(0)
	var buf bytes.Buffer
	if err := g.DOT(&buf); err != nil {
		t.Fatal(err)
	}
	golden(t, "dot_small.golden", buf.Bytes())
}

func TestGraphNamesAndParams(t *testing.T) {
	g := smallResidual(0)
	if err := g.Build(); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, l := range g.Layers() {
		names = append(names, l.LayerName())
	}
	// Keras order: by depth from the output, the shortcut convolution after
	// the main-branch one of equal depth.
	want := []string{"input_1", "zero_padding2d_1", "conv1", "bn_conv1", "activation_1",
		"res2a_branch2a", "bn2a_branch2a", "activation_2", "res2a_branch2b", "res2a_branch1",
		"add_1", "activation_3", "max_pooling2d_1", "flatten_1", "fc3"}
	if !slices.Equal(names, want) {
		t.Errorf("layers %v\nwant   %v", names, want)
	}
	if _, ok := g.Layer("res2a_branch1").(*Conv2D); !ok || g.Layer("nope") != nil {
		t.Error("Layer(name) does not find layers by name")
	}
	ps := g.Params()
	if ps[0].KerasName() != "conv1/kernel:0" || ps[1].KerasName() != "conv1/bias:0" || ps[5].KerasName() != "bn_conv1/moving_variance:0" {
		t.Errorf("params start %s %s ... %s", ps[0].KerasName(), ps[1].KerasName(), ps[5].KerasName())
	}
	total, trainable, fixed := g.CountParams()
	// conv1 3·3·3·4+4, bn 4·4, 2a 4·2+2, bn 2·4, 2b 3·3·2·6+6, branch1 4·6+6, fc 24·3+3
	wantTrain := 112 + 8 + 10 + 4 + 114 + 30 + 75
	if trainable != wantTrain || fixed != 12 || total != wantTrain+12 {
		t.Errorf("CountParams = %d, %d, %d; want %d, %d, 12", total, trainable, fixed, wantTrain+12, wantTrain)
	}
}

func TestGraphSeedDeterminesWeights(t *testing.T) {
	a, b, c := smallResidual(5), smallResidual(5), smallResidual(6)
	pa, pb, pc := a.Params(), b.Params(), c.Params()
	if !slices.Equal(pa[0].Value, pb[0].Value) || !slices.Equal(pa[len(pa)-2].Value, pb[len(pb)-2].Value) {
		t.Error("one seed built two different models")
	}
	if slices.Equal(pa[0].Value, pc[0].Value) {
		t.Error("seeds 5 and 6 built the same conv1 kernel")
	}
	if slices.Equal(a.Layer("res2a_branch2b").Params()[0].Value[:4], a.Layer("conv1").Params()[0].Value[:4]) {
		t.Error("two layers drew the same numbers")
	}
}

func TestGraphForward(t *testing.T) {
	g := smallResidual(1)
	rng := rand.New(rand.NewPCG(41, 42))
	x := randTensor(rng, 3, 9, 9, 3)
	probs, err := g.Forward(x, Inference)
	if err != nil {
		t.Fatal(err)
	}
	if !probs.Shape.Equal(Shape{3, 3}) {
		t.Fatalf("output shape %v", probs.Shape)
	}
	logits, err := g.Logits(x, Inference)
	if err != nil {
		t.Fatal(err)
	}
	soft := NewTensor(3, 3)
	softmaxRef(soft.Data, logits.Data, 3)
	assertClose(t, "softmax(logits)", probs.Data, soft.Data, 4)
	if slices.Equal(probs.Data, logits.Data) {
		t.Error("Logits returned the probabilities")
	}
	ref, err := g.Run(x, RunOptions{Reference: true})
	if err != nil {
		t.Fatal(err)
	}
	assertClose(t, "reference run", probs.Data, ref[g.OutputNode().ID].Data, 200)

	bn := g.Layer("bn_conv1").(*BatchNormalization)
	before := slices.Clone(bn.MovingMean.Value)
	if _, err := g.Forward(x, Training); err != nil {
		t.Fatal(err)
	}
	if slices.Equal(before, bn.MovingMean.Value) || len(bn.BatchMean) != 4 {
		t.Error("a Training pass did not use and record batch statistics")
	}

	for _, bad := range []*Tensor{NewTensor(0, 9, 9, 3), NewTensor(1, 9, 9, 4), NewTensor(1, 81, 3)} {
		if _, err := g.Forward(bad, Inference); err == nil || !strings.Contains(err.Error(), "input_1") {
			t.Errorf("input %v: error %v does not name input_1", bad.Shape, err)
		}
	}
}

func TestGraphErrorsAccumulate(t *testing.T) {
	g := NewGraph(0)
	x := g.Input("img", 8, 8, 3)
	a := g.Conv2D(x, Conv2DConfig{Name: "a", Filters: 4, KernelSize: [2]int{3, 3}})
	b := g.Conv2D(x, Conv2DConfig{Name: "b", Filters: 4, KernelSize: [2]int{1, 1}})
	y := g.Add(a, b)                                                           // 6×6 vs 8×8: fails
	y = g.Activation(y, ReLU)                                                  // nil in, nil out, no new error
	g.Conv2D(x, Conv2DConfig{Name: "a", Filters: 1, KernelSize: [2]int{1, 1}}) // duplicate name
	g.MaxPooling2D(b, Pool2DConfig{PoolSize: [2]int{9, 9}})                    // too large
	g.SetOutput(y)
	err := g.Build()
	if err == nil {
		t.Fatal("Build accepted a broken graph")
	}
	for _, want := range []string{`"add_1" (Add)`, "(None, 8, 8, 4)", `"a" is used twice`, `"max_pooling2d_1"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if n := strings.Count(err.Error(), "\n") + 1; n != 3 {
		t.Errorf("%d errors recorded, want 3:\n%v", n, err)
	}
	if _, err := g.Forward(NewTensor(1, 8, 8, 3), Inference); err == nil {
		t.Error("Forward ran a broken graph")
	}
	if err := NewGraph(0).Build(); err == nil {
		t.Error("an empty graph built")
	}
}

func TestSnakeCase(t *testing.T) {
	for class, want := range map[string]string{
		"Conv2D": "conv2d", "BatchNormalization": "batch_normalization", "MaxPooling2D": "max_pooling2d",
		"ZeroPadding2D": "zero_padding2d", "GlobalAveragePooling2D": "global_average_pooling2d",
		"Activation": "activation", "Add": "add", "Dense": "dense",
	} {
		if got := snakeCase(class); got != want {
			t.Errorf("snakeCase(%s) = %s, want %s", class, got, want)
		}
	}
	if thousands(23600006) != "23,600,006" || thousands(999) != "999" || thousands(1000) != "1,000" || thousands(0) != "0" {
		t.Error("thousands separators")
	}
}

// TestGraphOtherBuilders covers the remaining builders and a model that
// ends in a separate softmax Activation, whose logits are its input.
func TestGraphOtherBuilders(t *testing.T) {
	g := NewGraph(3)
	x := g.Input("pixels", 6, 6, 2)
	a := g.AveragePooling2D(x, Pool2DConfig{PoolSize: [2]int{2, 2}, Padding: Same})
	b := g.GlobalMaxPooling2D(a)
	c := g.GlobalAveragePooling2D(x)
	y := g.Add(b, c)
	y = g.Dense(y, DenseConfig{Units: 4})
	logitsNode := y
	y = g.Activation(y, Softmax)
	g.SetOutput(y)
	if err := g.Build(); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"average_pooling2d_1", "global_max_pooling2d_1", "global_average_pooling2d_1", "add_1", "dense_1", "activation_1"} {
		if g.Node(name) == nil {
			t.Errorf("no auto-named layer %s", name)
		}
	}
	if g.InputNode().Name() != "pixels" || len(g.Nodes()) != 7 || g.Seed() != 3 {
		t.Error("graph accessors")
	}
	rng := rand.New(rand.NewPCG(43, 44))
	xs := randTensor(rng, 2, 6, 6, 2)
	vals, err := g.Run(xs, RunOptions{Logits: true})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := vals[g.OutputNode().ID].Data, vals[logitsNode.ID].Data; !slices.Equal(got, want) {
		t.Errorf("logits %v, want the dense output %v", got, want)
	}
	if f, err := ParseActFunc("softmax"); err != nil || f != Softmax || f.String() != "softmax" {
		t.Error("ParseActFunc(softmax)")
	}
	if _, err := ParseActFunc("tanhh"); err == nil {
		t.Error("ParseActFunc accepted tanhh")
	}
}
