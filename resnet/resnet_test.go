package resnet

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/simdnet/simdnet/ops"
)

func build(t *testing.T, arch Arch) *ops.Graph {
	t.Helper()
	g, err := ResNet50(SignsInput, SignsClasses, arch)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestParamCounts(t *testing.T) {
	for _, c := range []struct {
		name                       string
		arch                       Arch
		total, trainable, nonTrain int
	}{
		{"standard", Standard, 23600006, 23546886, 53120},
		{"seed", Seed, 17958790, 17907718, 51072},
		// conv1 9,472 + bn 256; stages of 12,784, 14,816 and 58,304 (two
		// 3×3 convolutions, a 1×1 shortcut and their BatchNorms); fc6 on
		// 2×2×64 features 1,542.
		{"resnet8", Arch8, 97174, 96374, 800},
	} {
		t.Run(c.name, func(t *testing.T) {
			g, err := New(c.arch, SignsInput, SignsClasses, 0)
			if err != nil {
				t.Fatal(err)
			}
			total, trainable, nonTrain := g.CountParams()
			if total != c.total || trainable != c.trainable || nonTrain != c.nonTrain {
				t.Errorf("params %d / %d / %d, want %d / %d / %d", total, trainable, nonTrain, c.total, c.trainable, c.nonTrain)
			}
		})
	}
}

// TestStageShapes checks the output shape after the stem and each stage for
// 64×64 inputs. A stage ends with its last block's add, which has the shape
// of that block's bn..._branch2c.
func TestStageShapes(t *testing.T) {
	g := build(t, Standard)
	for name, want := range map[string]ops.Shape{
		"input_1":          {64, 64, 3},
		"zero_padding2d_1": {70, 70, 3},
		"conv1":            {32, 32, 64},
		"max_pooling2d_1":  {15, 15, 64},
		"bn2c_branch2c":    {15, 15, 256},
		"bn3d_branch2c":    {8, 8, 512},
		"bn4f_branch2c":    {4, 4, 1024},
		"bn5c_branch2c":    {2, 2, 2048},
		"avg_pool":         {1, 1, 2048},
		"flatten_1":        {2048},
		"fc6":              {6},
	} {
		n := g.Node(name)
		if n == nil {
			t.Errorf("no layer %s", name)
			continue
		}
		if !n.Shape.Equal(want) {
			t.Errorf("%s: shape %v, want %v", name, n.Shape, want)
		}
	}
	if len(g.Layers()) != 177 {
		t.Errorf("%d layers, want Keras's 177", len(g.Layers()))
	}
}

// TestBlockLayout checks a convolutional block against the tutorial: layer
// names, kernel sizes, strides and paddings, and Keras's listing order.
func TestBlockLayout(t *testing.T) {
	g := build(t, Standard)
	for _, c := range []struct {
		name   string
		k, s   int
		pad    ops.Padding
		filter int
	}{
		{"conv1", 7, 2, ops.Valid, 64},
		{"res3a_branch2a", 1, 2, ops.Valid, 128},
		{"res3a_branch2b", 3, 1, ops.Same, 128},
		{"res3a_branch2c", 1, 1, ops.Valid, 512},
		{"res3a_branch1", 1, 2, ops.Valid, 512},
		{"res3b_branch2a", 1, 1, ops.Valid, 128},
		{"res2a_branch1", 1, 1, ops.Valid, 256},
	} {
		l, ok := g.Layer(c.name).(*ops.Conv2D)
		if !ok {
			t.Errorf("%s is not a Conv2D", c.name)
			continue
		}
		if l.KernelSize != [2]int{c.k, c.k} || l.Strides != [2]int{c.s, c.s} || l.Padding != c.pad || l.Filters != c.filter || l.NoBias {
			t.Errorf("%s: %+v", c.name, l.Conv2DConfig)
		}
	}
	var names []string
	for _, l := range g.Layers()[:20] {
		names = append(names, l.LayerName())
	}
	want := []string{"input_1", "zero_padding2d_1", "conv1", "bn_conv1", "activation_1", "max_pooling2d_1",
		"res2a_branch2a", "bn2a_branch2a", "activation_2", "res2a_branch2b", "bn2a_branch2b", "activation_3",
		"res2a_branch2c", "res2a_branch1", "bn2a_branch2c", "bn2a_branch1", "add_1", "activation_4",
		"res2b_branch2a", "bn2b_branch2a"}
	if !slices.Equal(names, want) {
		t.Errorf("Keras order starts\n%v\nwant\n%v", names, want)
	}
	if d, ok := g.Layer("fc6").(*ops.Dense); !ok || d.Activation != ops.Softmax || d.Units != 6 {
		t.Error("fc6 is not Dense(6, softmax)")
	}
}

func TestSummaryTotals(t *testing.T) {
	g := build(t, Standard)
	var buf bytes.Buffer
	if err := g.Summary(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"Total params: 23,600,006\nTrainable params: 23,546,886\nNon-trainable params: 53,120\n",
		"conv1 (Conv2D)                  (None, 32, 32, 64)   9472        zero_padding2d_1[0][0]",
		"add_1 (Add)                     (None, 15, 15, 256)  0           bn2a_branch2c[0][0]",
		"fc6 (Dense)                     (None, 6)            12294       flatten_1[0][0]",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q", want)
		}
	}
}

// TestForward runs the unfused ResNet50 on two random images.
func TestForward(t *testing.T) {
	g := build(t, Seed)
	rng := rand.New(rand.NewPCG(1, 2))
	x := ops.NewTensor(2, 64, 64, 3)
	for i := range x.Data {
		x.Data[i] = rng.Float32()
	}
	probs, err := g.Forward(x, ops.Inference)
	if err != nil {
		t.Fatal(err)
	}
	if !probs.Shape.Equal(ops.Shape{2, 6}) {
		t.Fatalf("output shape %v", probs.Shape)
	}
	for n := 0; n < 2; n++ {
		var sum float64
		for _, p := range probs.Data[n*6 : n*6+6] {
			if math.IsNaN(float64(p)) || p < 0 || p > 1 {
				t.Fatalf("image %d: probabilities %v", n, probs.Data[n*6:n*6+6])
			}
			sum += float64(p)
		}
		if math.Abs(sum-1) > 1e-5 {
			t.Errorf("image %d: probabilities sum to %v", n, sum)
		}
	}
	if slices.Equal(probs.Data[:6], probs.Data[6:]) {
		t.Error("two different images gave the same output")
	}
}

// TestForwardMatchesReference runs the whole network through the float64
// reference layers: slow, so not in -short runs.
func TestForwardMatchesReference(t *testing.T) {
	if testing.Short() {
		t.Skip("the reference ResNet50 takes seconds")
	}
	g := build(t, Seed)
	rng := rand.New(rand.NewPCG(3, 4))
	x := ops.NewTensor(1, 64, 64, 3)
	for i := range x.Data {
		x.Data[i] = rng.Float32()
	}
	fast, err := g.Run(x, ops.RunOptions{Logits: true})
	if err != nil {
		t.Fatal(err)
	}
	ref, err := g.Run(x, ops.RunOptions{Logits: true, Reference: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"conv1", "add_1", "add_7", "add_16", "fc6"} {
		id := g.Node(name).ID
		var maxAbs, maxDiff float64
		for i, v := range ref[id].Data {
			maxAbs = math.Max(maxAbs, math.Abs(float64(v)))
			maxDiff = math.Max(maxDiff, math.Abs(float64(v-fast[id].Data[i])))
		}
		if maxDiff > 1e-4*maxAbs {
			t.Errorf("%s: fast and reference differ by %g (values up to %g)", name, maxDiff, maxAbs)
		}
	}
}

func TestSeedDeterminesWeights(t *testing.T) {
	a, errA := New(Arch18, SignsInput, 4, 9)
	b, errB := New(Arch18, SignsInput, 4, 9)
	c, errC := New(Arch18, SignsInput, 4, 10)
	if err := errors.Join(errA, errB, errC); err != nil {
		t.Fatal(err)
	}
	pa, pb, pc := a.Params(), b.Params(), c.Params()
	for i := range pa {
		if !slices.Equal(pa[i].Value, pb[i].Value) {
			t.Fatalf("%s differs between two builds with one seed", pa[i].KerasName())
		}
	}
	if slices.Equal(pa[0].Value, pc[0].Value) {
		t.Error("seeds 9 and 10 gave the same conv1 kernel")
	}
}

func TestOtherDepths(t *testing.T) {
	for _, c := range []struct {
		name  string
		depth int
	}{
		{"resnet18", 18},
		{"resnet34", 34},
		{"resnet101", 101},
	} {
		a, ok := Lookup(c.name)
		if !ok {
			t.Fatalf("%s is not registered", c.name)
		}
		if a.Depth() != c.depth {
			t.Errorf("%s: depth %d", c.name, a.Depth())
		}
		if testing.Short() && c.depth > 50 {
			continue
		}
		g, err := Config{Arch: c.name, InputShape: SignsInput, Classes: SignsClasses}.Build()
		if err != nil {
			t.Fatal(err)
		}
		last := g.OutputNode().Inputs[0].Inputs[0] // avg_pool
		if want := a.Stages[3].Filters[len(a.Stages[3].Filters)-1]; !last.Shape.Equal(ops.Shape{1, 1, want}) {
			t.Errorf("%s: avg_pool shape %v", c.name, last.Shape)
		}
	}
	if _, err := ResNet50(SignsInput, 6, Arch101); err == nil {
		t.Error("ResNet50 accepted a 101-layer architecture")
	}
}

func TestConfigJSON(t *testing.T) {
	cfg := Config{Arch: "resnet50-seed", InputShape: SignsInput, Classes: 6, Seed: 3}
	data, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != `{"arch":"resnet50-seed","input_shape":[64,64,3],"classes":6,"seed":3}` {
		t.Errorf("JSON %s", data)
	}
	var back Config
	if err := json.Unmarshal(data, &back); err != nil || back != cfg {
		t.Fatalf("round trip gave %+v, %v", back, err)
	}
	g, err := back.Build()
	if err != nil {
		t.Fatal(err)
	}
	if total, _, _ := g.CountParams(); total != 17958790 {
		t.Errorf("rebuilt model has %d parameters", total)
	}
	for _, bad := range []Config{
		{Arch: "resnet51", InputShape: SignsInput, Classes: 6},
		{Arch: "resnet50", InputShape: [3]int{64, 0, 3}, Classes: 6},
		{Arch: "resnet50", InputShape: SignsInput, Classes: 0},
		{Arch: "resnet50", InputShape: [3]int{16, 16, 3}, Classes: 6}, // too small for the stem and stages
	} {
		if _, err := bad.Build(); err == nil {
			t.Errorf("%+v built", bad)
		}
	}
}

func TestRegistry(t *testing.T) {
	if !slices.Contains(Names(), "resnet50") || !slices.Contains(Names(), "resnet50-seed") {
		t.Errorf("Names() = %v", Names())
	}
	a, _ := Lookup("resnet50")
	a.Stages[0].Filters[0] = 1
	if Standard.Stages[0].Filters[0] != 64 {
		t.Error("Lookup handed out the registry's own slices")
	}
	if err := Register("resnet50", Standard); err == nil {
		t.Error("Register replaced resnet50")
	}
	for _, bad := range []Arch{
		{Name: "bad", Block: Basic, Stages: []Stage{{Filters: []int{1, 2, 3}, Blocks: 1, Stride: 1}}},
		{Name: "bad", Block: Bottleneck, Stages: []Stage{{Filters: []int{1, 2, 3}, Blocks: 1, Stride: 1, IdentityFilters: []int{4}}}},
		{Name: "bad", Block: Bottleneck, Stages: []Stage{{Filters: []int{1, 0, 3}, Blocks: 1, Stride: 1}}},
		{Name: "bad", Block: Bottleneck},
	} {
		if err := Register("bad", bad); err == nil {
			t.Errorf("Register accepted %+v", bad)
		}
	}
	if blockName(0, 23) != "a" || blockName(22, 23) != "w" || blockName(35, 36) != "b35" {
		t.Error("block names")
	}
}

// TestConvWeightsMatchPublishedModels checks each depth's block structure
// against torchvision's published parameter totals, with the parts that
// differ here taken out: torchvision's 1000-class head (512·1000+1000 or
// 2048·1000+1000) and its two trainable values per batch-norm channel.
// What remains is the number of convolution kernel weights, which must
// agree exactly.
func TestConvWeightsMatchPublishedModels(t *testing.T) {
	for _, c := range []struct {
		arch Arch
		want int
	}{
		{Arch18, 11689512 - 513000 - 2*4800},
		{Arch34, 21797672 - 513000 - 2*8512},
		{Standard, 25557032 - 2049000 - 2*26560},
		{Arch101, 44549160 - 2049000 - 2*52672},
	} {
		if testing.Short() && c.arch.Depth() > 50 {
			continue
		}
		g, err := New(c.arch, SignsInput, SignsClasses, 0)
		if err != nil {
			t.Fatal(err)
		}
		got := 0
		for _, l := range g.Layers() {
			if conv, ok := l.(*ops.Conv2D); ok {
				got += conv.Kernel.Len()
			}
		}
		if got != c.want {
			t.Errorf("%s: %d convolution weights, want %d", c.arch.Name, got, c.want)
		}
	}
}
