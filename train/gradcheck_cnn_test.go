package train

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/simdnet/simdnet/ops"
)

// cnnLayerCases are the gradient checks of the layers registered by type
// (see layer_registry.go), on small odd shapes.
var cnnLayerCases = []layerCase{
	{name: "depthwise3x3_same", in: []int{5, 5, 3}, batch: 2, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		return g.DepthwiseConv2D(x, ops.DepthwiseConv2DConfig{KernelSize: [2]int{3, 3}, Padding: ops.Same})
	}},
	{name: "depthwise3x3_valid_s2_m2_nobias", in: []int{7, 6, 3}, batch: 3, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		return g.DepthwiseConv2D(x, ops.DepthwiseConv2DConfig{KernelSize: [2]int{3, 3}, Strides: [2]int{2, 2}, DepthMultiplier: 2, NoBias: true})
	}},
	{name: "depthwise3x3_dilated_same_s2", in: []int{7, 7, 2}, batch: 2, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		return g.DepthwiseConv2D(x, ops.DepthwiseConv2DConfig{KernelSize: [2]int{3, 3}, DilationRate: [2]int{2, 2}, Strides: [2]int{2, 2}, Padding: ops.Same})
	}},
	{name: "depthwise_relu6", in: []int{5, 4, 3}, batch: 2, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		// Inputs up to ±8 take some outputs past the cap of 6.
		return g.DepthwiseConv2D(g.Rescaling(x, 8, 0), ops.DepthwiseConv2DConfig{KernelSize: [2]int{3, 3}, Padding: ops.Same, Activation: ops.ReLU6})
	}},
	{name: "depthwise_hard_swish_accumulated", in: []int{5, 5, 3}, batch: 2, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		d := g.DepthwiseConv2D(x, ops.DepthwiseConv2DConfig{KernelSize: [2]int{3, 3}, Padding: ops.Same, Activation: ops.HardSwish})
		return g.Add(d, x) // x's gradient sums both uses
	}},
	{name: "conv_groups2_same", in: []int{5, 5, 4}, batch: 2, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		return g.Conv2D(x, ops.Conv2DConfig{Filters: 6, KernelSize: [2]int{3, 3}, Groups: 2, Padding: ops.Same})
	}},
	{name: "conv_groups4_s2_valid_nobias", in: []int{7, 6, 8}, batch: 3, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		return g.Conv2D(x, ops.Conv2DConfig{Filters: 4, KernelSize: [2]int{3, 3}, Groups: 4, Strides: [2]int{2, 2}, NoBias: true})
	}},
	{name: "conv_dilated_accumulated", in: []int{7, 7, 3}, batch: 2, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		y := g.Conv2D(x, ops.Conv2DConfig{Filters: 3, KernelSize: [2]int{3, 3}, DilationRate: [2]int{2, 2}, Padding: ops.Same})
		return g.Add(y, x)
	}},
	{name: "conv_pointwise_groups_gelu", in: []int{3, 5, 6}, batch: 2, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		return g.Conv2D(x, ops.Conv2DConfig{Filters: 9, KernelSize: [2]int{1, 1}, Groups: 3, Activation: ops.GELU})
	}},
	{name: "conv_relu_activation", in: []int{4, 4, 3}, batch: 2, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		return g.Conv2D(x, ops.Conv2DConfig{Filters: 3, KernelSize: [2]int{3, 3}, Padding: ops.Same, Activation: ops.ReLU})
	}},
	{name: "correct_pad_depthwise_bn_relu6", in: []int{7, 6, 3}, batch: 3, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		// MobileNetV2's downsampling: asymmetric zero padding, a valid
		// stride-2 depthwise convolution, BatchNormalization, ReLU(6).
		x = g.Apply(&ops.ZeroPadding2D{Name: "pad", Top: 0, Bottom: 1, Left: 0, Right: 1}, g.Rescaling(x, 4, 0))
		x = g.DepthwiseConv2D(x, ops.DepthwiseConv2DConfig{KernelSize: [2]int{3, 3}, Strides: [2]int{2, 2}, NoBias: true})
		return g.ReLU(g.BatchNormalization(x, ""), ops.ReLU6Config(""))
	}},
	{name: "add_relu_layer_fused", in: []int{3, 3, 2}, batch: 2, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		// Keras's ReLU() layer fuses into the Add like an Activation relu.
		c := g.Conv2D(x, ops.Conv2DConfig{Filters: 2, KernelSize: [2]int{1, 1}})
		return g.Flatten(g.ReLU(g.Add(g.BatchNormalization(c, ""), x), ops.ReLUConfig{}))
	}},
	{name: "separable_swish_m2", in: []int{6, 5, 3}, batch: 2, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		return g.SeparableConv2D(x, ops.SeparableConv2DConfig{Filters: 4, KernelSize: [2]int{3, 3}, DepthMultiplier: 2, Strides: [2]int{2, 2}, Padding: ops.Same, Activation: ops.Swish})
	}},
	{name: "relu_layer_cap_threshold", in: []int{4, 3, 3}, batch: 2, distinct: true, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		return g.ReLU(g.Rescaling(x, 3, 0), ops.ReLUConfig{MaxValue: 3.5, HasMaxValue: true, Threshold: 0.5, NegativeSlope: 0.1})
	}},
	{name: "relu6_layer", in: []int{4, 3, 3}, batch: 2, distinct: true, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		return g.ReLU(g.Rescaling(x, 4, 0), ops.ReLU6Config(""))
	}},
	{name: "leaky_relu_layer", in: []int{3, 3, 2}, batch: 2, distinct: true, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		return g.LeakyReLU(x, ops.DefaultLeakyReLUSlope)
	}},
	{name: "squeeze_excitation", in: []int{5, 3, 4}, batch: 2, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		s := g.GlobalAveragePooling2DKeepdims(x)
		s = g.Conv2D(s, ops.Conv2DConfig{Filters: 2, KernelSize: [2]int{1, 1}})
		s = g.Activation(s, ops.ReLU)
		s = g.Conv2D(s, ops.Conv2DConfig{Filters: 4, KernelSize: [2]int{1, 1}})
		s = g.Activation(s, ops.HardSigmoidTorch)
		return g.Multiply(x, s)
	}},
	{name: "add_broadcast_relu", in: []int{3, 3, 4}, batch: 2, distinct: true, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		// The Add broadcasts, so it is not fused with the ReLU after it.
		return g.Activation(g.Add(x, g.GlobalMaxPooling2DKeepdims(x)), ops.ReLU)
	}},
	{name: "subtract_average_maximum_minimum", in: []int{3, 2, 3}, batch: 2, distinct: true, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		y := g.Conv2D(x, ops.Conv2DConfig{Filters: 3, KernelSize: [2]int{1, 1}})
		s := g.Subtract(x, g.GlobalAveragePooling2DKeepdims(y))
		return g.Average(g.Maximum(s, y), g.Minimum(x, y), y)
	}},
	{name: "concatenate_channels_shared", in: []int{3, 4, 2}, batch: 2, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		return g.Concatenate(-1, x, g.Conv2D(x, ops.Conv2DConfig{Filters: 3, KernelSize: [2]int{3, 3}, Padding: ops.Same}), x)
	}},
	{name: "concatenate_width", in: []int{3, 4, 2}, batch: 2, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		return g.Concatenate(2, g.Conv2D(x, ops.Conv2DConfig{Filters: 2, KernelSize: [2]int{1, 1}}), x)
	}},
	{name: "shufflenet_split", in: []int{3, 3, 6}, batch: 2, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		// ShuffleNetV2's unit: half the channels pass, half go through a
		// convolution, and the halves are joined again; the slice of the
		// height checks another axis.
		kept := g.Slice(x, 3, 0, 3)
		y := g.Conv2D(g.Slice(x, 3, 3, 6), ops.Conv2DConfig{Filters: 3, KernelSize: [2]int{1, 1}})
		z := g.Concatenate(-1, kept, y)
		return g.Add(g.Slice(z, 1, 1, 3), g.Slice(x, 1, 0, 2))
	}},
	{name: "channel_shuffle", in: []int{3, 3, 6}, batch: 2, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		y := g.Conv2D(x, ops.Conv2DConfig{Filters: 6, KernelSize: [2]int{1, 1}})
		y = g.Reshape(y, 3, 3, 2, 3)
		y = g.Permute(y, 1, 2, 4, 3)
		return g.Add(g.Reshape(y, 3, 3, 6), x)
	}},
	{name: "layer_norm", in: []int{3, 3, 5}, batch: 2, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		return g.LayerNormalization(x, ops.LayerNormConfig{Epsilon: 1e-6})
	}},
	{name: "layer_norm_noscale_after_conv", in: []int{3, 2, 3}, batch: 3, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		return g.LayerNormalization(g.Conv2D(x, ops.Conv2DConfig{Filters: 4, KernelSize: [2]int{1, 1}}), ops.LayerNormConfig{NoScale: true})
	}},
	{name: "rescaling_normalization", in: []int{3, 3, 3}, batch: 2, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		x = g.Normalization(g.Rescaling(x, 1.0/127.5, -1), []float32{0.5, -0.25, 0}, []float32{2, 0.5, 1})
		return g.Conv2D(x, ops.Conv2DConfig{Filters: 2, KernelSize: [2]int{1, 1}})
	}},
	{name: "dense_tanh", in: []int{6}, batch: 3, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		return g.Dense(x, ops.DenseConfig{Units: 4, Activation: ops.Tanh})
	}},
	{name: "dense_sigmoid", in: []int{6}, batch: 3, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		return g.Dense(x, ops.DenseConfig{Units: 4, Activation: ops.Sigmoid})
	}},
	{name: "maxpool_ceil_pads", in: []int{6, 7, 2}, batch: 2, distinct: true, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		return g.MaxPooling2D(x, ops.Pool2DConfig{PoolSize: [2]int{3, 3}, Strides: [2]int{2, 2}, Pads: [4]int{1, 0, 1, 1}, CeilMode: true})
	}},
	{name: "avgpool_count_include_pad", in: []int{5, 6, 2}, batch: 2, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		return g.AveragePooling2D(x, ops.Pool2DConfig{PoolSize: [2]int{3, 3}, Strides: [2]int{2, 2}, Pads: [4]int{1, 1, 1, 1}, CountIncludePad: true})
	}},
	{name: "avgpool_ceil_exclude_pad", in: []int{6, 5, 3}, batch: 2, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		return g.AveragePooling2D(x, ops.Pool2DConfig{PoolSize: [2]int{2, 2}, CeilMode: true, CountIncludePad: true})
	}},
	{name: "dropout_inference_shape", in: []int{3, 3, 2}, batch: 2, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		return g.Dropout(x, 0, 1) // rate 0: the identity, also while training
	}},
}

func TestCNNLayerGradients(t *testing.T) {
	checkLayerCases(t, cnnLayerCases, true)
}

// TestGeneralConvBlocks checks the grouped and dilated convolutions' backward
// with blocks of a few rows, so that the kernel gradient sums over blocks.
func TestGeneralConvBlocks(t *testing.T) {
	defer func(b int) { generalConvBlock = b }(generalConvBlock)
	generalConvBlock = 200
	var cases []layerCase
	for _, c := range cnnLayerCases {
		if strings.HasPrefix(c.name, "conv_") {
			cases = append(cases, c)
		}
	}
	checkLayerCases(t, cases, false)
}

func checkLayerCases(t *testing.T, cases []layerCase, activations bool) {
	for f := ops.Linear; activations && f <= ops.Tanh; f++ {
		if f == ops.Softmax {
			continue
		}
		cases = append(cases, layerCase{name: "activation_" + f.String(), in: []int{4, 3, 3}, batch: 2, distinct: true,
			build: func(g *ops.Graph, x *ops.Node) *ops.Node { return g.Activation(g.Rescaling(x, 3, 0), f) }})
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 17))
			g := ops.NewGraph(uint64(i))
			x := g.Input("", c.in...)
			g.SetOutput(c.build(g, x))
			if err := g.Build(); err != nil {
				t.Fatal(err)
			}
			jitter(g, rng)
			for _, n := range g.Nodes() {
				if l, ok := n.Layer.(*ops.Normalization); ok { // statistics stay what the case set
					copy(l.Mean.Value, []float32{0.5, -0.25, 0})
					copy(l.Variance.Value, []float32{2, 0.5, 1})
				}
			}
			shape := append([]int{c.batch}, c.in...)
			in := randTensor(rng, shape...)
			if c.distinct {
				in = distinctTensor(rng, shape...)
			}
			checkGraphGradients(t, g, in, rng, fdTol)
		})
	}
}

// TestDropoutGradient checks that Dropout and SpatialDropout2D pass the
// gradient through the mask their training forward drew (finite
// differences cannot: every forward draws a new mask).
func TestDropoutGradient(t *testing.T) {
	for _, spatial := range []bool{false, true} {
		t.Run(fmt.Sprint("spatial=", spatial), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(3, 9))
			g := ops.NewGraph(1)
			x := g.Input("", 5, 4, 6)
			if spatial {
				g.SetOutput(g.SpatialDropout2D(x, 0.4, 3))
			} else {
				g.SetOutput(g.Dropout(x, 0.4, 3))
			}
			p, err := newPlan(g, planOptions{inputGrad: true, rawOutput: true})
			if err != nil {
				t.Fatal(err)
			}
			ws := newWorkspace(p, 3)
			ws.allocGrads(p)
			in := randTensor(rng, 3, 5, 4, 6)
			for i := range in.Data {
				in.Data[i] += 2
			}
			out, err := p.forward(ws, in, ops.Training)
			if err != nil {
				t.Fatal(err)
			}
			r := randTensor(rng, out.Shape...).Data
			copy(ws.ownGrad(p, p.output), r)
			p.backward(ws)
			dx, _ := ws.grad(p, p.input)
			dropped := 0
			for i, v := range out.Data {
				want := r[i] * v / in.Data[i] // the factor the forward applied
				if d := dx[i] - want; d > 1e-5 || d < -1e-5 {
					t.Fatalf("dx[%d] = %v, want %v", i, dx[i], want)
				}
				if v == 0 {
					dropped++
				}
			}
			if dropped == 0 || dropped == len(out.Data) {
				t.Fatalf("%d of %d dropped", dropped, len(out.Data))
			}
		})
	}
}

// TestReLU6FusesIntoBatchNorm checks that the plan lets a
// BatchNormalization compute the ReLU6 (layer or activation) after it,
// and only a plain ReLU after an Add.
func TestReLU6FusesIntoBatchNorm(t *testing.T) {
	g := ops.NewGraph(1)
	x := g.Input("", 4, 4, 3)
	a := g.ReLU(g.BatchNormalization(x, ""), ops.ReLU6Config(""))
	b := g.Activation(g.BatchNormalization(a, ""), ops.ReLU6)
	c := g.Activation(g.Add(b, a), ops.ReLU6)
	g.SetOutput(g.Flatten(c))
	p, err := newPlan(g, planOptions{inputGrad: true, rawOutput: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range g.Nodes() {
		_, isBN := n.Layer.(*ops.BatchNormalization)
		_, isAdd := n.Layer.(*ops.Add)
		switch fused := p.reluOf[n.ID] != noNode; {
		case isBN && (!fused || p.reluCap[n.ID] != 6):
			t.Errorf("%s: reluOf %d cap %v, want its ReLU6 fused", n.Name(), p.reluOf[n.ID], p.reluCap[n.ID])
		case isAdd && fused:
			t.Errorf("%s fused a ReLU6; the Add's loop has only the ReLU", n.Name())
		}
	}
}

// TestFusedReLU6Gradients checks BatchNormalization with the ReLU6 it
// computes, gamma large enough that outputs reach the cap: feeding a
// Flatten, and feeding an Add, which passes gradients through but whose
// capped input keeps a buffer of its own.
func TestFusedReLU6Gradients(t *testing.T) {
	for i, build := range []func(g *ops.Graph, x *ops.Node) *ops.Node{
		func(g *ops.Graph, x *ops.Node) *ops.Node {
			return g.Flatten(g.ReLU(g.BatchNormalization(x, ""), ops.ReLU6Config("")))
		},
		func(g *ops.Graph, x *ops.Node) *ops.Node {
			y := g.BatchNormalization(g.Conv2D(x, ops.Conv2DConfig{Filters: 3, KernelSize: [2]int{1, 1}}), "")
			return g.Add(g.Activation(y, ops.ReLU6), x)
		},
	} {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 23))
			g := ops.NewGraph(uint64(i))
			x := g.Input("", 3, 3, 3)
			g.SetOutput(build(g, x))
			if err := g.Build(); err != nil {
				t.Fatal(err)
			}
			jitter(g, rng)
			var bn *ops.BatchNormalization
			for _, n := range g.Nodes() {
				if l, ok := n.Layer.(*ops.BatchNormalization); ok {
					bn = l
				}
			}
			for c := range bn.Gamma.Value {
				bn.Gamma.Value[c], bn.Beta.Value[c] = 4, 2 // outputs from below 0 to past 6
			}
			in := randTensor(rng, 3, 3, 3, 3)
			out, err := g.Forward(in, ops.Training)
			if err != nil {
				t.Fatal(err)
			}
			capped, between := 0, 0
			for _, v := range out.Data {
				if i == 0 && v == 6 {
					capped++
				} else if i == 0 && v > 0 && v < 6 {
					between++
				}
			}
			if i == 0 && (capped == 0 || between == 0) {
				t.Fatalf("%d outputs at the cap and %d between: the case tests nothing", capped, between)
			}
			checkGraphGradients(t, g, in, rng, fdTol)
		})
	}
}
