package mobilenet

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/simdnet/simdnet/models"
	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/resnet"
)

var imageNet = [3]int{224, 224, 3}

func build(t *testing.T, cfg V2Config, in [3]int, classes int) *ops.Graph {
	t.Helper()
	g, err := V2(cfg, in, classes, 0)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestParamCounts checks Keras's totals for 224×224×3 inputs and 1000
// classes: alpha 1 as model.summary() prints them (the figures),
// alpha 0.35 and 1.4 against the totals keras.applications' models are
// published with.
func TestParamCounts(t *testing.T) {
	for _, c := range []struct {
		alpha                      float64
		total, trainable, nonTrain int
	}{
		{1, 3538984, 3504872, 34112},
		{0.35, 1691208, -1, -1},
		{1.4, 6156712, -1, -1},
	} {
		g := build(t, V2Config{Alpha: c.alpha}, imageNet, 1000)
		total, trainable, nonTrain := g.CountParams()
		if total != c.total || c.trainable >= 0 && (trainable != c.trainable || nonTrain != c.nonTrain) {
			t.Errorf("alpha %v: params %d / %d / %d, want %d / %d / %d", c.alpha, total, trainable, nonTrain, c.total, c.trainable, c.nonTrain)
		}
		// Each BatchNorm channel has two trainable (gamma, beta) and two
		// non-trainable (moving mean and variance) values.
		if trainable+nonTrain != total || nonTrain%2 != 0 {
			t.Errorf("alpha %v: %d trainable + %d non-trainable ≠ %d total", c.alpha, trainable, nonTrain, total)
		}
	}
}

// TestSummary prints Keras's totals, and its 156 layers (input included),
// as keras.applications.MobileNetV2().summary() does.
func TestSummary(t *testing.T) {
	g := build(t, V2Config{}, imageNet, 1000)
	var buf bytes.Buffer
	if err := g.Summary(&buf); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`Model: "mobilenetv2_1.00_224"`, "Total params: 3,538,984", "Trainable params: 3,504,872", "Non-trainable params: 34,112"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("summary lacks %q", want)
		}
	}
	if n := len(g.Nodes()); n != 156 {
		t.Errorf("%d layers, Keras's MobileNetV2 has 156", n)
	}
}

// TestLayerNamesAndShapes follows Keras's names and shapes through the
// network at 224×224, where every strided block pads one row and column
// after (even sizes), and at 225×225, where Conv1 gives an odd 113 and
// block_1_pad pads both sides.
func TestLayerNamesAndShapes(t *testing.T) {
	g := build(t, V2Config{}, imageNet, 1000)
	for name, want := range map[string]ops.Shape{
		"Conv1":                        {112, 112, 32},
		"bn_Conv1":                     {112, 112, 32},
		"Conv1_relu":                   {112, 112, 32},
		"expanded_conv_depthwise":      {112, 112, 32},
		"expanded_conv_depthwise_BN":   {112, 112, 32},
		"expanded_conv_depthwise_relu": {112, 112, 32},
		"expanded_conv_project":        {112, 112, 16},
		"expanded_conv_project_BN":     {112, 112, 16},
		"block_1_expand":               {112, 112, 96},
		"block_1_expand_relu":          {112, 112, 96},
		"block_1_pad":                  {113, 113, 96},
		"block_1_depthwise":            {56, 56, 96},
		"block_1_project_BN":           {56, 56, 24},
		"block_2_add":                  {56, 56, 24},
		"block_3_pad":                  {57, 57, 144},
		"block_5_add":                  {28, 28, 32},
		"block_6_depthwise":            {14, 14, 192},
		"block_9_add":                  {14, 14, 64},
		"block_10_project":             {14, 14, 96},
		"block_12_add":                 {14, 14, 96},
		"block_13_pad":                 {15, 15, 576},
		"block_15_add":                 {7, 7, 160},
		"block_16_project_BN":          {7, 7, 320},
		"Conv_1":                       {7, 7, 1280},
		"Conv_1_bn":                    {7, 7, 1280},
		"out_relu":                     {7, 7, 1280},
		"predictions":                  {1000},
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
	// Residual additions only where the block keeps stride 1 and width.
	var adds []string
	for _, n := range g.Nodes() {
		if _, ok := n.Layer.(*ops.Add); ok {
			adds = append(adds, n.Layer.LayerName())
		}
	}
	want := []string{"block_2_add", "block_4_add", "block_5_add", "block_7_add", "block_8_add", "block_9_add",
		"block_11_add", "block_12_add", "block_14_add", "block_15_add"}
	if !slices.Equal(adds, want) {
		t.Errorf("adds %v, want %v", adds, want)
	}
	pad := g.Layer("block_1_pad").(*ops.ZeroPadding2D)
	if pad.Top != 0 || pad.Bottom != 1 || pad.Left != 0 || pad.Right != 1 {
		t.Errorf("block_1_pad at 112×112: %+v, want ((0, 1), (0, 1))", *pad)
	}
	dw := g.Layer("block_1_depthwise").(*ops.DepthwiseConv2D)
	if dw.Padding != ops.Valid || dw.Strides != [2]int{2, 2} || !dw.NoBias || dw.KernelSize != [2]int{3, 3} {
		t.Errorf("block_1_depthwise: %+v", dw.DepthwiseConv2DConfig)
	}
	bn := g.Layer("block_1_depthwise_BN").(*ops.BatchNormalization)
	if bn.Epsilon != 1e-3 || bn.Momentum != 0.999 {
		t.Errorf("block_1_depthwise_BN: epsilon %v, momentum %v, want 1e-3, 0.999", bn.Epsilon, bn.Momentum)
	}
	relu := g.Layer("block_1_depthwise_relu").(*ops.ReLULayer)
	if !relu.HasMaxValue || relu.MaxValue != 6 {
		t.Errorf("block_1_depthwise_relu: %+v, want ReLU(6)", relu.ReLUConfig)
	}

	odd := build(t, V2Config{}, [3]int{225, 225, 3}, 10)
	pad = odd.Layer("block_1_pad").(*ops.ZeroPadding2D)
	if pad.Top != 1 || pad.Bottom != 1 || pad.Left != 1 || pad.Right != 1 {
		t.Errorf("block_1_pad at 113×113: %+v, want ((1, 1), (1, 1))", *pad)
	}
	if s := odd.Node("block_1_depthwise").Shape; !s.Equal(ops.Shape{57, 57, 96}) {
		t.Errorf("block_1_depthwise at 225×225 input: %v, want (57, 57, 96)", s)
	}
}

// TestWidths checks _make_divisible's channel counts at the edges of the
// published widths: 0.35 rounds Conv1's 11.2 filters up to 16 (8 would be
// more than 10% short), 1.4 widens Conv_1 to 1792.
func TestWidths(t *testing.T) {
	for _, c := range []struct {
		alpha               float64
		conv1, first, conv2 int // Conv1, expanded_conv_project, Conv_1 filters
	}{
		{0.35, 16, 8, 1280},
		{0.5, 16, 8, 1280},
		{0.75, 24, 16, 1280},
		{1, 32, 16, 1280},
		{1.3, 40, 24, 1664},
		{1.4, 48, 24, 1792},
	} {
		g := build(t, V2Config{Alpha: c.alpha}, [3]int{96, 96, 3}, 5)
		got := [3]int{g.Node("Conv1").Shape[2], g.Node("expanded_conv_project").Shape[2], g.Node("Conv_1").Shape[2]}
		if got != [3]int{c.conv1, c.first, c.conv2} {
			t.Errorf("alpha %v: filters %v, want %v", c.alpha, got, [3]int{c.conv1, c.first, c.conv2})
		}
	}
	for _, c := range []struct {
		v    float64
		want int
	}{{11.2, 16}, {32, 32}, {44.8, 48}, {4, 8}, {1792, 1792}, {12, 16}, {11.9, 16}, {27, 32}, {20, 24}} {
		if got := makeDivisible(c.v, 8); got != c.want {
			t.Errorf("makeDivisible(%v, 8) = %d, want %d", c.v, got, c.want)
		}
	}
}

// TestForwardMatchesReference runs a narrow MobileNetV2 on 32×32 inputs,
// Keras's smallest, through the fast layers and the float64 reference
// ones, with BatchNorm statistics away from the identity so that every
// layer's arithmetic shows.
func TestForwardMatchesReference(t *testing.T) {
	g := build(t, V2Config{Alpha: 0.35}, [3]int{32, 32, 3}, 7)
	rng := rand.New(rand.NewPCG(7, 8))
	for _, p := range g.Params() {
		if strings.HasPrefix(p.Param.Name, "moving_variance") || p.Param.Name == "gamma" {
			for i := range p.Param.Value {
				p.Param.Value[i] = 0.5 + rng.Float32()
			}
		} else if p.Param.Name == "beta" || strings.HasPrefix(p.Param.Name, "moving_mean") {
			for i := range p.Param.Value {
				p.Param.Value[i] = 0.2 * (rng.Float32() - 0.5)
			}
		}
	}
	x := ops.NewTensor(3, 32, 32, 3)
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
	for _, name := range []string{"Conv1_relu", "expanded_conv_depthwise_relu", "block_1_pad", "block_2_add", "block_13_depthwise", "out_relu", "predictions"} {
		id := g.Node(name).ID
		var maxAbs, maxDiff float64
		for i, v := range ref[id].Data {
			maxAbs = math.Max(maxAbs, math.Abs(float64(v)))
			maxDiff = math.Max(maxDiff, math.Abs(float64(v-fast[id].Data[i])))
		}
		if maxAbs == 0 {
			t.Errorf("%s: the reference output is all zeros; the test shows nothing", name)
		}
		if maxDiff > 1e-4*maxAbs {
			t.Errorf("%s: fast and reference differ by %g (values up to %g)", name, maxDiff, maxAbs)
		}
	}
	logits := fast[g.OutputNode().ID].Data
	if slices.Equal(logits[:7], logits[7:14]) {
		t.Error("two different images gave the same logits")
	}
}

// TestNoTop ends the graph at out_relu, or at the pooling Keras's pooling
// argument asks for.
func TestNoTop(t *testing.T) {
	for pooling, want := range map[string]ops.Shape{"": {2, 3, 1280}, "avg": {1280}, "max": {1280}} {
		g := build(t, V2Config{Alpha: 0.5, NoTop: true, Pooling: pooling}, [3]int{64, 80, 3}, 0)
		if s := g.OutputNode().Shape; !s.Equal(want) {
			t.Errorf("pooling %q: output %v, want %v", pooling, s, want)
		}
		if g.Node("predictions") != nil {
			t.Errorf("pooling %q: a classifier without the top", pooling)
		}
	}
}

func TestBadConfigs(t *testing.T) {
	for name, c := range map[string]struct {
		cfg     V2Config
		in      [3]int
		classes int
	}{
		"31 rows":          {V2Config{}, [3]int{31, 64, 3}, 2},
		"no channels":      {V2Config{}, [3]int{64, 64, 0}, 2},
		"negative alpha":   {V2Config{Alpha: -1}, imageNet, 2},
		"NaN alpha":        {V2Config{Alpha: math.NaN()}, imageNet, 2},
		"no classes":       {V2Config{}, imageNet, 0},
		"pooling with top": {V2Config{Pooling: "avg"}, imageNet, 2},
		"unknown pooling":  {V2Config{NoTop: true, Pooling: "mean"}, imageNet, 2},
		"infinite alpha":   {V2Config{Alpha: math.Inf(1)}, imageNet, 2},
	} {
		if _, err := V2(c.cfg, c.in, c.classes, 0); err == nil || !strings.Contains(err.Error(), "mobilenet") {
			t.Errorf("%s: err = %v, want a mobilenet error", name, err)
		}
	}
}

// TestRegistered: the published widths are in the general registry, so
// resnet.Config (which model files and commands use) builds them.
func TestRegistered(t *testing.T) {
	for _, a := range PublishedAlphas {
		if _, ok := models.Lookup(V2Name(a)); !ok {
			t.Errorf("%s is not registered", V2Name(a))
		}
	}
	if V2Name(1) != "mobilenetv2" || V2Name(0.35) != "mobilenetv2-0.35" {
		t.Errorf("names %q, %q", V2Name(1), V2Name(0.35))
	}
	g, err := resnet.Config{Arch: "mobilenetv2-0.35", InputShape: [3]int{64, 64, 3}, Classes: 6, Seed: 1}.Build()
	if err != nil {
		t.Fatal(err)
	}
	if g.Name != "mobilenetv2_0.35_64" || !g.OutputNode().Shape.Equal(ops.Shape{6}) {
		t.Errorf("built %s with output %v", g.Name, g.OutputNode().Shape)
	}
	if !slices.Contains(models.Names(), "resnet50") {
		t.Errorf("the ResNets are missing from the registry: %v", models.Names())
	}
}
