package bench

import (
	"testing"

	_ "github.com/simdnet/simdnet/mobilenet" // registers mobilenetv2
	"github.com/simdnet/simdnet/models"
	"github.com/simdnet/simdnet/ops"
)

// TestForwardFlopsLayers counts a small graph of every kind of layer by
// hand: a grouped dilated convolution, strided and dilated depthwise
// convolutions with a depth multiplier, a separable convolution, Dense on
// rank 3 and rank 2 inputs, and the element-wise layers, which count
// nothing (BatchNormalization, activations, squeeze-and-excitation's
// pooling and Multiply, Add, Reshape).
func TestForwardFlopsLayers(t *testing.T) {
	g := ops.NewGraph(3)
	x := g.Input("in", 9, 11, 4)
	// 9×11×6 outputs of 3·3·(4/2) taps each: dilation widens the window,
	// not the work.
	x = g.Conv2D(x, ops.Conv2DConfig{Name: "grouped", Filters: 6, KernelSize: [2]int{3, 3}, Padding: ops.Same,
		DilationRate: [2]int{2, 2}, Groups: 2})
	macs := 9 * 11 * 6 * (3 * 3 * 4 / 2)
	x = g.BatchNormalization(x, "bn")
	x = g.ReLU(x, ops.ReLU6Config("relu6"))
	// valid, stride 2: 4×5 positions, 6·2 output channels of 3·3 taps.
	x = g.DepthwiseConv2D(x, ops.DepthwiseConv2DConfig{Name: "dw", KernelSize: [2]int{3, 3}, Strides: [2]int{2, 2},
		DepthMultiplier: 2})
	macs += 4 * 5 * 12 * 3 * 3
	x = g.DepthwiseConv2D(x, ops.DepthwiseConv2DConfig{Name: "dw_dilated", KernelSize: [2]int{3, 3}, Padding: ops.Same,
		DilationRate: [2]int{2, 2}, Activation: ops.HardSwish})
	macs += 4 * 5 * 12 * 3 * 3
	// depthwise 3×3 on 12 channels, then 12 → 8 pointwise.
	x = g.SeparableConv2D(x, ops.SeparableConv2DConfig{Name: "sep", Filters: 8, KernelSize: [2]int{3, 3}, Padding: ops.Same})
	macs += 4*5*12*3*3 + 4*5*8*12
	// squeeze-and-excitation: Dense on the 1×1×8 pooled tensor (rank 3).
	s := g.GlobalAveragePooling2DKeepdims(x)
	s = g.Dense(s, ops.DenseConfig{Name: "se_reduce", Units: 2, Activation: ops.ReLU})
	s = g.Dense(s, ops.DenseConfig{Name: "se_expand", Units: 8, Activation: ops.Sigmoid})
	macs += 8*2 + 2*8
	x = g.Add(x, g.Multiply(x, s))
	// Dense on each of 4 rows of 40 features, then on the 12 flattened.
	x = g.Reshape(x, 4, 40)
	x = g.Dense(x, ops.DenseConfig{Name: "rows", Units: 3})
	macs += 4 * 3 * 40
	x = g.Dense(g.Flatten(x), ops.DenseConfig{Name: "head", Units: 5, Activation: ops.Softmax})
	macs += 12 * 5
	g.SetOutput(x)
	if err := g.Build(); err != nil {
		t.Fatal(err)
	}
	if got, want := ForwardFlops(g), 2*float64(macs); got != want {
		t.Fatalf("ForwardFlops = %v, hand count 2 × %d multiply-adds = %v", got, macs, want)
	}
}

// TestForwardFlopsMobileNetV2 checks keras.applications' MobileNetV2
// (alpha 1) against a count from its table of inverted residual blocks
// (expansion t, channels c, repeats n, first stride s), independent of the
// graph: 300.8 M multiply-adds at 224×224, which the paper and Keras
// publish as 300 M (0.6 GFLOP). The element-wise work (BatchNorm, ReLU6,
// residual sums), about 1% more, is not counted, as there.
func TestForwardFlopsMobileNetV2(t *testing.T) {
	for _, side := range []int{224, 64} {
		g, err := buildMobileNetV2(side)
		if err != nil {
			t.Fatal(err)
		}
		want := 2 * float64(mobileNetV2MACs(side, 1000))
		if got := ForwardFlops(g); got != want {
			t.Errorf("MobileNetV2 at %d×%d: ForwardFlops %v, table count %v (2 × %.1f M multiply-adds)", side, side, got, want, want/2e6)
		}
		if side == 224 && (want/2e6 < 300 || want/2e6 > 301) {
			t.Errorf("the table count is %.2f M multiply-adds, not the published 300 M", want/2e6)
		}
	}
}

func buildMobileNetV2(side int) (*ops.Graph, error) {
	return models.Build("mobilenetv2", [3]int{side, side, 3}, 1000, Seed)
}

// mobileNetV2MACs counts MobileNetV2's multiply-adds (alpha 1) from the
// paper's table: a 3×3/2 stem of 32 filters, the bottleneck blocks
// (1×1 expansion but in the first, 3×3 depthwise, 1×1 projection), a 1×1
// convolution to 1280 channels and the classifier. Strided layers give
// ceil(side/2) positions (Keras pads with correct_pad).
func mobileNetV2MACs(side, classes int) int {
	down := func(h int) int { return (h + 1) / 2 }
	h := down(side)
	macs := h * h * 32 * 3 * 3 * 3
	cin := 32
	for _, b := range []struct{ t, c, n, s int }{
		{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1},
	} {
		for i := 0; i < b.n; i++ {
			hidden := cin * b.t
			if b.t != 1 {
				macs += h * h * cin * hidden
			}
			if i == 0 && b.s == 2 {
				h = down(h)
			}
			macs += h*h*hidden*3*3 + h*h*hidden*b.c
			cin = b.c
		}
	}
	macs += h * h * cin * 1280
	return macs + 1280*classes
}
