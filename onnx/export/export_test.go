package export

import (
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/simdnet/simdnet/mobilenet"
	"github.com/simdnet/simdnet/onnx"
	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/resnet"
)

// randomizeBN gives every BatchNormalization statistics that matter, so
// that a wrong mapping of its parameters shows in the outputs.
func randomizeBN(g *ops.Graph, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 7))
	for _, l := range g.Layers() {
		bn, ok := l.(*ops.BatchNormalization)
		if !ok {
			continue
		}
		for k := range bn.MovingMean.Value {
			bn.MovingMean.Value[k] = float32(r.NormFloat64() * 0.2)
			bn.MovingVariance.Value[k] = float32(0.5 + r.Float64())
			bn.Gamma.Value[k] = float32(0.6 + 0.8*r.Float64())
			bn.Beta.Value[k] = float32(r.NormFloat64() * 0.2)
		}
	}
}

func input(shape ops.Shape, batch int, seed uint64) *ops.Tensor {
	r := rand.New(rand.NewPCG(seed, 1))
	x := ops.NewTensor(append([]int{batch}, shape...)...)
	for k := range x.Data {
		x.Data[k] = float32(r.Float64()*2 - 1)
	}
	return x
}

func toNCHW(x *ops.Tensor) *ops.Tensor {
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

func relDiff(got, want []float32) float64 {
	var d, s float64
	for k, w := range want {
		d = max(d, math.Abs(float64(got[k])-float64(w)))
		s = max(s, math.Abs(float64(w)))
	}
	return d / max(s, 1e-30)
}

// roundTrip exports g, reads the file back with package onnx, and
// compares its output on a random batch (NCHW) with the graph's own
// layer-by-layer forward pass (NHWC).
func roundTrip(t *testing.T, g *ops.Graph, opts Options, tol float64) {
	t.Helper()
	data, err := Marshal(g, opts)
	if err != nil {
		t.Fatal(err)
	}
	m, err := onnx.LoadBytes("exported.onnx", data, onnx.Options{})
	if err != nil {
		t.Fatalf("reading the export back: %v", err)
	}
	in := g.InputNode().Shape
	x := input(in, 3, 11)
	want, err := g.Forward(x, ops.Inference)
	if err != nil {
		t.Fatal(err)
	}
	fx := x
	if len(in) == 3 {
		fx = toNCHW(x)
	}
	got, err := m.Forward(fx)
	if err != nil {
		t.Fatal(err)
	}
	if len(want.Shape) == 4 {
		want = toNCHW(want)
	}
	if !got.Shape.Equal(want.Shape) {
		t.Fatalf("output shape %v, want %v", got.Shape, want.Shape)
	}
	d := relDiff(got.Data, want.Data)
	if d > tol {
		t.Errorf("max |reloaded − simdnet| / max |simdnet| = %.3g, want ≤ %.0g", d, tol)
	}
	t.Logf("%d bytes, %.3g", len(data), d)
}

func TestResNet(t *testing.T) {
	for _, arch := range []string{"resnet8", "resnet50-seed"} {
		t.Run(arch, func(t *testing.T) {
			if arch == "resnet50-seed" && testing.Short() {
				t.Skip("the seed ResNet50 at 64×64 takes seconds")
			}
			g, err := resnet.Config{Arch: arch, InputShape: [3]int{64, 64, 3}, Classes: 6, Seed: 5}.Build()
			if err != nil {
				t.Fatal(err)
			}
			randomizeBN(g, 3)
			roundTrip(t, g, Options{}, 1e-5)
			roundTrip(t, g, Options{FoldBatchNorm: true, Opset: 17}, 1e-5)
			// Logits: the reloaded file gives the graph's logits.
			data, err := Marshal(g, Options{Logits: true})
			if err != nil {
				t.Fatal(err)
			}
			m, err := onnx.LoadBytes("logits.onnx", data, onnx.Options{ChannelsLast: true})
			if err != nil {
				t.Fatal(err)
			}
			x := input(g.InputNode().Shape, 2, 5)
			want, err := g.Logits(x, ops.Inference)
			if err != nil {
				t.Fatal(err)
			}
			got, err := m.Forward(x)
			if err != nil {
				t.Fatal(err)
			}
			if d := relDiff(got.Data, want.Data); d > 1e-5 {
				t.Errorf("logits: %.3g", d)
			}
		})
	}
}

func TestMobileNetV2(t *testing.T) {
	g, err := mobilenet.V2(mobilenet.V2Config{Alpha: 0.35}, [3]int{48, 40, 3}, 5, 9)
	if err != nil {
		t.Fatal(err)
	}
	randomizeBN(g, 4)
	roundTrip(t, g, Options{}, 1e-5)
	roundTrip(t, g, Options{FoldBatchNorm: true}, 1e-5)
}

// zoo is a graph of every layer the exporter writes, in forms package
// onnx reads back.
func zoo(t *testing.T, flattenOut bool) *ops.Graph {
	g := ops.NewGraph(21)
	x := g.Input("img", 20, 18, 3)
	x = g.Rescaling(x, 1.5, -0.25)
	x = g.Conv2D(x, ops.Conv2DConfig{Name: "c1", Filters: 8, KernelSize: [2]int{3, 3}, Strides: [2]int{2, 2}, Padding: ops.Same})
	x = g.BatchNormalization(x, "bn1")
	x = g.ReLU(x, ops.ReLUConfig{MaxValue: 6, HasMaxValue: true})
	a := g.Conv2D(x, ops.Conv2DConfig{Name: "grouped", Filters: 8, KernelSize: [2]int{3, 3}, Padding: ops.Same, Groups: 4, Activation: ops.Swish})
	b := g.DepthwiseConv2D(x, ops.DepthwiseConv2DConfig{Name: "dw", KernelSize: [2]int{3, 3}, Padding: ops.Same, DepthMultiplier: 2, DilationRate: [2]int{2, 2}})
	b = g.BatchNormalization(b, "bn_dw")
	b = g.Activation(b, ops.HardSwish)
	b = g.Conv2D(b, ops.Conv2DConfig{Name: "pw", Filters: 8, KernelSize: [2]int{1, 1}, NoBias: true, Activation: ops.GELU})
	y := g.Add(a, b)
	y = g.LeakyReLU(y, 0.1)
	se := g.GlobalAveragePooling2DKeepdims(y)
	se = g.Conv2D(se, ops.Conv2DConfig{Name: "se_reduce", Filters: 4, KernelSize: [2]int{1, 1}, Activation: ops.ReLU})
	se = g.Conv2D(se, ops.Conv2DConfig{Name: "se_expand", Filters: 8, KernelSize: [2]int{1, 1}, Activation: ops.HardSigmoidTorch})
	y = g.Multiply(y, se)
	z := g.SeparableConv2D(y, ops.SeparableConv2DConfig{Name: "sep", Filters: 6, KernelSize: [2]int{3, 3}, Padding: ops.Same, Activation: ops.Sigmoid})
	z = g.Subtract(z, g.Conv2D(y, ops.Conv2DConfig{Name: "side", Filters: 6, KernelSize: [2]int{1, 1}, Activation: ops.Tanh}))
	y = g.Concatenate(-1, y, z)
	y = g.Apply(&ops.ZeroPadding2D{Name: "pad", Top: 1, Bottom: 0, Left: 2, Right: 1}, y)
	y = g.MaxPooling2D(y, ops.Pool2DConfig{PoolSize: [2]int{3, 3}, Strides: [2]int{2, 2}, Padding: ops.Same})
	p, err := ops.NewAveragePooling2D(ops.Pool2DConfig{Name: "avg_torch", PoolSize: [2]int{2, 2}, Strides: [2]int{2, 2}, Pads: [4]int{1, 1, 0, 0}, CeilMode: true, CountIncludePad: true})
	if err != nil {
		t.Fatal(err)
	}
	y = g.Apply(p, y)
	y = g.Dropout(y, 0.3, 1)
	if flattenOut {
		y = g.AveragePooling2D(y, ops.Pool2DConfig{PoolSize: [2]int{2, 2}, Strides: [2]int{1, 1}, Padding: ops.Same})
		y = g.Flatten(y)
		g.SetOutput(y)
		return g
	}
	y = g.Flatten(y)
	y = g.Dense(y, ops.DenseConfig{Name: "fc1", Units: 12, Activation: ops.ReLU})
	y = g.Dense(y, ops.DenseConfig{Name: "fc2", Units: 5, Activation: ops.Softmax})
	g.SetOutput(y)
	return g
}

func TestEveryLayer(t *testing.T) {
	for _, flattenOut := range []bool{false, true} {
		g := zoo(t, flattenOut)
		if err := g.Build(); err != nil {
			t.Fatal(err)
		}
		if s := g.Node("flatten_1").Inputs[0].Shape; s[0]*s[1] < 4 {
			t.Fatalf("the Flatten sees %v: the row permutation is not exercised", s)
		}
		randomizeBN(g, 8)
		roundTrip(t, g, Options{}, 1e-5)
		roundTrip(t, g, Options{FoldBatchNorm: true}, 1e-5)
	}
}

// TestGlobalMaxAndVectorBN: a vector input, BatchNormalization of a
// vector, and GlobalMaxPooling2D's flattening.
func TestVectorsAndGlobalMax(t *testing.T) {
	g := ops.NewGraph(2)
	x := g.Input("v", 10)
	x = g.Dense(x, ops.DenseConfig{Name: "d1", Units: 7})
	x = g.BatchNormalization(x, "bnv")
	x = g.Dense(x, ops.DenseConfig{Name: "d2", Units: 3, Activation: ops.Softmax})
	g.SetOutput(x)
	if err := g.Build(); err != nil {
		t.Fatal(err)
	}
	randomizeBN(g, 1)
	roundTrip(t, g, Options{}, 1e-5)

	g = ops.NewGraph(3)
	y := g.Input("img", 9, 7, 2)
	y = g.Conv2D(y, ops.Conv2DConfig{Name: "c", Filters: 4, KernelSize: [2]int{3, 3}, Activation: ops.ReLU})
	y = g.GlobalMaxPooling2D(y)
	g.SetOutput(y)
	if err := g.Build(); err != nil {
		t.Fatal(err)
	}
	roundTrip(t, g, Options{}, 1e-6)
}

func TestRefused(t *testing.T) {
	g := ops.NewGraph(1)
	x := g.Input("img", 8, 8, 3)
	x = g.Conv2D(x, ops.Conv2DConfig{Name: "c", Filters: 4, KernelSize: [2]int{3, 3}})
	x = g.Permute(x, 2, 1, 3)
	g.SetOutput(x)
	if err := g.Build(); err != nil {
		t.Fatal(err)
	}
	_, err := Marshal(g, Options{})
	var e *Error
	if !errors.As(err, &e) || e.Class != "Permute" || !strings.Contains(err.Error(), "has no ONNX form") {
		t.Fatalf("a Permute: %v", err)
	}
	if _, err := Marshal(g, Options{Opset: 12}); err == nil || !strings.Contains(err.Error(), "opset 12") {
		t.Fatalf("opset 12: %v", err)
	}
	if _, err := Marshal(ops.NewGraph(0), Options{}); err == nil {
		t.Fatal("an empty graph was exported")
	}
	// A failed write leaves nothing behind.
	dir := t.TempDir()
	if err := WriteFile(filepath.Join(dir, "x.onnx"), g, Options{}); err == nil {
		t.Fatal("WriteFile of an unexportable graph succeeded")
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("left %v", ents)
	}
}

// TestLayerNormAndPointwiseDense: ConvNeXt's channel LayerNormalization
// and Dense on an image's channels, at opset 17; refused at 13.
func TestLayerNormAndPointwiseDense(t *testing.T) {
	g := ops.NewGraph(4)
	x := g.Input("img", 6, 5, 4)
	x = g.Conv2D(x, ops.Conv2DConfig{Name: "c", Filters: 8, KernelSize: [2]int{3, 3}, Padding: ops.Same})
	x = g.LayerNormalization(x, ops.LayerNormConfig{Name: "ln", Epsilon: 1e-6})
	x = g.Dense(x, ops.DenseConfig{Name: "pw", Units: 12, Activation: ops.GELU})
	x = g.Dense(x, ops.DenseConfig{Name: "pw2", Units: 8})
	x = g.GlobalAveragePooling2D(x)
	x = g.LayerNormalization(x, ops.LayerNormConfig{Name: "ln_vec"})
	g.SetOutput(x)
	if err := g.Build(); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(3, 3))
	for _, l := range g.Layers() {
		if ln, ok := l.(*ops.LayerNormalization); ok {
			for k := range ln.Gamma.Value {
				ln.Gamma.Value[k] = float32(0.5 + r.Float64())
				ln.Beta.Value[k] = float32(r.NormFloat64())
			}
		}
	}
	roundTrip(t, g, Options{Opset: 17}, 1e-5)
	if _, err := Marshal(g, Options{}); err == nil || !strings.Contains(err.Error(), "opset 17") {
		t.Fatalf("LayerNormalization at opset 13: %v", err)
	}
}
