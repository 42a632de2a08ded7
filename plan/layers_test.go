package plan_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simdnet/simdnet/dwconv"
	"github.com/simdnet/simdnet/gemm"
	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/plan"
)

// randomizeParams gives every parameter values in [-0.5, 0.5) and every
// BatchNormalization statistics far from 0/1, so that folding matters.
func randomizeParams(g *ops.Graph, rng *rand.Rand) {
	for _, p := range g.Params() {
		if !p.Trainable {
			continue // statistics: BatchNorm's below, Normalization's given
		}
		for i := range p.Value {
			p.Value[i] = float32(rng.Float64() - 0.5)
		}
	}
	randomizeBN(g, rng)
}

// kernelOptions is every pair of a gemm kernel and a depthwise kernel the
// CPU runs: the plan must be right on each. With -short every kernel still
// runs, paired off rather than crossed.
func kernelOptions() []plan.Options {
	ks, ds := gemm.Kernels(), dwconv.Kernels()
	var opts []plan.Options
	if testing.Short() {
		for i := range max(len(ks), len(ds)) {
			opts = append(opts, plan.Options{Kernel: &ks[min(i, len(ks)-1)], Depthwise: &ds[min(i, len(ds)-1)]})
		}
		return opts
	}
	for _, k := range ks {
		for _, d := range ds {
			opts = append(opts, plan.Options{Kernel: &k, Depthwise: &d})
		}
	}
	return opts
}

func optName(o plan.Options) string { return o.Kernel.Name + "/" + o.Depthwise.Name }

// checkCompiled compares the plan of g with the unfused graph on batches
// of 1 and 3, on every kernel, to 1e-4 of the output's scale, and returns
// one plan's description.
func checkCompiled(t *testing.T, g *ops.Graph, seed uint64) string {
	t.Helper()
	require.NoError(t, g.Build())
	rng := rand.New(rand.NewPCG(seed, 77))
	randomizeParams(g, rng)
	var desc string
	for _, batch := range []int{1, 3} {
		x := randomBatch(rng, append([]int{batch}, g.InputNode().Shape...)...)
		want, err := g.Forward(x, ops.Inference)
		require.NoError(t, err)
		for _, o := range kernelOptions() {
			o.SubBatch = 2
			p, err := plan.Compile(g, o)
			require.NoError(t, err)
			got := ops.NewTensor(want.Shape...)
			for i := range got.Data {
				got.Data[i] = 1e9 // every value must be written
			}
			require.NoError(t, p.Run(got, x))
			d := maxRelDiff(got.Data, want.Data)
			require.LessOrEqual(t, d, 1e-4, "batch %d on %s: relative difference %.3g", batch, optName(o), d)
			var sb strings.Builder
			p.Describe(&sb)
			desc = sb.String()
		}
	}
	return desc
}

// TestCompileDepthwise: depthwise convolutions with every option, their
// padding, BatchNorm and activation fused into one dwconv step.
func TestCompileDepthwise(t *testing.T) {
	for i, tc := range []struct {
		cfg  ops.DepthwiseConv2DConfig
		pad  bool
		act  ops.ActFunc
		want string
	}{
		{cfg: ops.DepthwiseConv2DConfig{KernelSize: [2]int{3, 3}, Padding: ops.Same}, act: ops.ReLU6},
		{cfg: ops.DepthwiseConv2DConfig{KernelSize: [2]int{3, 3}, Strides: [2]int{2, 2}, NoBias: true}, pad: true, act: ops.ReLU6},
		{cfg: ops.DepthwiseConv2DConfig{KernelSize: [2]int{3, 3}, DilationRate: [2]int{2, 2}, Padding: ops.Same}, act: ops.ReLU},
		{cfg: ops.DepthwiseConv2DConfig{KernelSize: [2]int{5, 3}, DepthMultiplier: 2, Strides: [2]int{2, 1}, Padding: ops.Same}, act: ops.Swish},
		{cfg: ops.DepthwiseConv2DConfig{KernelSize: [2]int{3, 3}, Activation: ops.ReLU6}},
		{cfg: ops.DepthwiseConv2DConfig{KernelSize: [2]int{3, 3}, Activation: ops.HardSwish, Padding: ops.Same}},
	} {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			g := ops.NewGraph(uint64(i))
			x := g.Input("in", 11, 9, 19)
			if tc.pad {
				x = g.ZeroPadding2D(x, 1, 1)
			}
			x = g.DepthwiseConv2D(x, tc.cfg)
			if tc.act != ops.Linear {
				x = g.BatchNormalization(x, "")
				x = g.Activation(x, tc.act)
			}
			x = g.Conv2D(x, ops.Conv2DConfig{Filters: 5, KernelSize: [2]int{1, 1}})
			g.SetOutput(x)
			desc := checkCompiled(t, g, uint64(i))
			require.Equal(t, 1, strings.Count(desc, " depthwise "), desc)
			require.Equal(t, 2, strings.Count(desc, "\n  "), "one depthwise step and one product:\n%s", desc)
		})
	}
}

// TestCompileGroupedConv: grouped and dilated convolutions on gemm group by
// group, with BatchNorm, a residual and ReLU fused; groups equal to the
// channels go to the depthwise kernel.
func TestCompileGroupedConv(t *testing.T) {
	for i, cfg := range []ops.Conv2DConfig{
		{Filters: 8, KernelSize: [2]int{3, 3}, Groups: 2, Padding: ops.Same},
		{Filters: 12, KernelSize: [2]int{3, 3}, Groups: 4, Strides: [2]int{2, 2}, Padding: ops.Same},
		{Filters: 12, KernelSize: [2]int{1, 1}, Groups: 4},
		{Filters: 12, KernelSize: [2]int{3, 3}, DilationRate: [2]int{2, 2}, Padding: ops.Same},
		{Filters: 12, KernelSize: [2]int{3, 2}, DilationRate: [2]int{2, 3}, Groups: 2},
		{Filters: 24, KernelSize: [2]int{3, 3}, Groups: 12, Padding: ops.Same},
		{Filters: 12, KernelSize: [2]int{3, 3}, Groups: 2, Padding: ops.Same, Activation: ops.HardSwish},
	} {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			g := ops.NewGraph(uint64(i))
			in := g.Input("in", 13, 11, 12)
			x := g.Conv2D(in, cfg)
			if cfg.Activation == ops.Linear {
				x = g.BatchNormalization(x, "")
				if x.Shape.Equal(in.Shape) {
					x = g.Add(x, in)
				}
				x = g.Activation(x, ops.ReLU)
			}
			g.SetOutput(x)
			desc := checkCompiled(t, g, uint64(i))
			require.Equal(t, 1, strings.Count(desc, "\n  "), "one fused step:\n%s", desc)
		})
	}
}

// TestCompileActivations: every activation, fused into a convolution and a
// Dense layer's epilogue or run on its own after a pool; the ReLU layer's
// general form (threshold) as its kernel.
func TestCompileActivations(t *testing.T) {
	for _, f := range []ops.ActFunc{ops.ReLU6, ops.LeakyReLU, ops.Sigmoid, ops.HardSigmoid, ops.HardSigmoidTorch,
		ops.Swish, ops.HardSwish, ops.GELU, ops.GELUTanh, ops.Tanh} {
		t.Run(f.String(), func(t *testing.T) {
			g := ops.NewGraph(1)
			x := g.Input("in", 7, 9, 3)
			x = g.Conv2D(x, ops.Conv2DConfig{Filters: 6, KernelSize: [2]int{3, 3}})
			x = g.Activation(x, f)
			x = g.MaxPooling2D(x, ops.Pool2DConfig{PoolSize: [2]int{2, 2}})
			x = g.Activation(x, f)
			x = g.ReLU(x, ops.ReLUConfig{Threshold: 0.1, NegativeSlope: 0.5})
			x = g.Dense(x, ops.DenseConfig{Units: 5, Activation: f})
			g.SetOutput(x)
			desc := checkCompiled(t, g, uint64(f))
			require.Contains(t, desc, "activation "+f.String()+" (in place)", "the activation after the pool overwrites the pool's output:\n%s", desc)
		})
	}
}

// TestCompileSqueezeExcitation: MobileNetV3's block, the channel scale of a
// (1, 1, C) tensor over (H, W, C).
func TestCompileSqueezeExcitation(t *testing.T) {
	g := ops.NewGraph(5)
	in := g.Input("in", 9, 7, 16)
	x := g.Conv2D(in, ops.Conv2DConfig{Filters: 16, KernelSize: [2]int{3, 3}, Padding: ops.Same})
	x = g.BatchNormalization(x, "")
	x = g.Activation(x, ops.HardSwish)
	s := g.GlobalAveragePooling2DKeepdims(x)
	s = g.Conv2D(s, ops.Conv2DConfig{Filters: 4, KernelSize: [2]int{1, 1}, Activation: ops.ReLU})
	s = g.Conv2D(s, ops.Conv2DConfig{Filters: 16, KernelSize: [2]int{1, 1}, Activation: ops.HardSigmoidTorch})
	x = g.Multiply(x, s)
	x = g.Conv2D(x, ops.Conv2DConfig{Filters: 16, KernelSize: [2]int{1, 1}})
	x = g.BatchNormalization(x, "")
	x = g.Add(x, in)
	g.SetOutput(x)
	desc := checkCompiled(t, g, 5)
	require.Contains(t, desc, "×scale", "the scale is applied in the projection's packing:\n%s", desc)
	require.Equal(t, 5, strings.Count(desc, "\n  "), "no step of its own for the multiply:\n%s", desc)
}

// TestCompileConcatenate: a join of branches on the channel axis, and one
// on another axis.
func TestCompileConcatenate(t *testing.T) {
	g := ops.NewGraph(6)
	in := g.Input("in", 9, 7, 5)
	a := g.Conv2D(in, ops.Conv2DConfig{Filters: 6, KernelSize: [2]int{1, 1}})
	b := g.Conv2D(in, ops.Conv2DConfig{Filters: 3, KernelSize: [2]int{3, 3}, Padding: ops.Same})
	b = g.BatchNormalization(b, "")
	b = g.Activation(b, ops.ReLU)
	c := g.DepthwiseConv2D(in, ops.DepthwiseConv2DConfig{KernelSize: [2]int{3, 3}, Padding: ops.Same, Activation: ops.ReLU6})
	x := g.Concatenate(-1, a, b, c, in)
	x = g.Conv2D(x, ops.Conv2DConfig{Filters: 4, KernelSize: [2]int{1, 1}})
	y := g.Concatenate(1, x, x)
	g.SetOutput(y)
	desc := checkCompiled(t, g, 6)
	// The three convolutions write their channels in place; only the
	// graph's input is copied.
	require.Equal(t, 3, strings.Count(desc, "into channels"), desc)
	require.Contains(t, desc, "copy 1 of 4 inputs", desc)

	// A concatenation every input of which is placed has no step.
	g = ops.NewGraph(7)
	in = g.Input("in", 8, 6, 4)
	a = g.Conv2D(in, ops.Conv2DConfig{Filters: 3, KernelSize: [2]int{1, 1}, Activation: ops.GELU})
	b = g.Conv2D(in, ops.Conv2DConfig{Filters: 5, KernelSize: [2]int{3, 3}, Padding: ops.Same, Groups: 1})
	c = g.DepthwiseConv2D(in, ops.DepthwiseConv2DConfig{KernelSize: [2]int{3, 3}, Padding: ops.Same, Activation: ops.Tanh})
	g.SetOutput(g.Concatenate(-1, a, b, c))
	desc = checkCompiled(t, g, 7)
	require.Equal(t, 3, strings.Count(desc, "\n  "), "three steps, no copy:\n%s", desc)
}

// TestCompileMerges: the other merge layers, broadcasting included.
func TestCompileMerges(t *testing.T) {
	g := ops.NewGraph(7)
	in := g.Input("in", 5, 7, 6)
	a := g.Conv2D(in, ops.Conv2DConfig{Filters: 6, KernelSize: [2]int{1, 1}})
	b := g.GlobalAveragePooling2DKeepdims(in)
	c := g.AveragePooling2D(in, ops.Pool2DConfig{PoolSize: [2]int{1, 7}}) // (5, 1, 6)
	x := g.Subtract(a, in)
	x = g.Maximum(x, in, a)
	x = g.Minimum(x, b)
	x = g.Average(x, c, a)
	x = g.Add(x, b)
	x = g.Multiply(x, c)
	g.SetOutput(x)
	checkCompiled(t, g, 7)
}

// TestCompileShapes: ShuffleNet's channel shuffle (Reshape, Permute), the
// dropouts, and Flatten, all views or gathers.
func TestCompileShapes(t *testing.T) {
	g := ops.NewGraph(8)
	in := g.Input("in", 5, 7, 12)
	x := g.Conv2D(in, ops.Conv2DConfig{Filters: 12, KernelSize: [2]int{1, 1}, Groups: 3, Activation: ops.ReLU})
	x = g.Reshape(x, 5, 7, 3, 4)
	x = g.Permute(x, 1, 2, 4, 3)
	x = g.Reshape(x, 5, 7, 12)
	x = g.Dropout(x, 0.3, 1)
	x = g.SpatialDropout2D(x, 0.2, 2)
	x = g.Conv2D(x, ops.Conv2DConfig{Filters: 6, KernelSize: [2]int{3, 3}})
	x = g.Flatten(x)
	x = g.Dense(x, ops.DenseConfig{Units: 3})
	g.SetOutput(x)
	checkCompiled(t, g, 8)
}

// TestCompileNormalizations: preprocessing inside the model (Rescaling,
// Normalization) and ConvNeXt's LayerNormalization.
func TestCompileNormalizations(t *testing.T) {
	g := ops.NewGraph(9)
	in := g.Input("in", 7, 9, 3)
	x := g.Rescaling(in, 1/127.5, -1)
	x = g.Normalization(x, []float32{0.1, -0.2, 0.3}, []float32{0.5, 2, 1.5})
	x = g.Conv2D(x, ops.Conv2DConfig{Filters: 8, KernelSize: [2]int{3, 3}, Padding: ops.Same})
	x = g.LayerNormalization(x, ops.LayerNormConfig{})
	x = g.Dense(x, ops.DenseConfig{Units: 16, Activation: ops.GELU})
	x = g.LayerNormalization(x, ops.LayerNormConfig{NoScale: true})
	x = g.Dense(x, ops.DenseConfig{Units: 8})
	g.SetOutput(x)
	checkCompiled(t, g, 9)
}

// TestCompilePools: same padding, PyTorch's pads, ceil_mode and
// count_include_pad, and global pooling with keepdims.
func TestCompilePools(t *testing.T) {
	g := ops.NewGraph(10)
	in := g.Input("in", 11, 9, 4)
	x := g.MaxPooling2D(in, ops.Pool2DConfig{PoolSize: [2]int{3, 3}, Strides: [2]int{2, 2}, Padding: ops.Same})
	y := g.AveragePooling2D(in, ops.Pool2DConfig{PoolSize: [2]int{3, 3}, Strides: [2]int{2, 2}, Padding: ops.Same})
	x = g.Add(x, y)
	x = g.AveragePooling2D(x, ops.Pool2DConfig{PoolSize: [2]int{2, 2}, Strides: [2]int{2, 2}, Pads: [4]int{1, 1, 1, 0}, CeilMode: true, CountIncludePad: true})
	x = g.MaxPooling2D(x, ops.Pool2DConfig{PoolSize: [2]int{2, 2}, Strides: [2]int{1, 1}, Pads: [4]int{1, 0, 0, 1}, CeilMode: true})
	x = g.GlobalAveragePooling2DKeepdims(x)
	x = g.Flatten(x)
	g.SetOutput(x)
	checkCompiled(t, g, 10)
}

// TestCompileSeparable: SeparableConv2D compiles as its two halves, the
// depthwise one on dwconv and the pointwise one on gemm with the layer's
// bias, the BatchNorm after it and the activation.
func TestCompileSeparable(t *testing.T) {
	for i, cfg := range []ops.SeparableConv2DConfig{
		{Filters: 7, KernelSize: [2]int{3, 3}, Padding: ops.Same},
		{Filters: 5, KernelSize: [2]int{3, 3}, Strides: [2]int{2, 2}, DepthMultiplier: 2, Activation: ops.ReLU},
		{Filters: 6, KernelSize: [2]int{3, 3}, DilationRate: [2]int{2, 2}, Padding: ops.Same, NoBias: true},
	} {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			g := ops.NewGraph(uint64(i))
			x := g.Input("in", 11, 9, 6)
			x = g.SeparableConv2D(x, cfg)
			if cfg.Activation == ops.Linear {
				x = g.BatchNormalization(x, "")
				x = g.Activation(x, ops.ReLU)
			}
			g.SetOutput(x)
			desc := checkCompiled(t, g, uint64(i))
			require.Equal(t, 2, strings.Count(desc, "\n  "), "a depthwise step and a product:\n%s", desc)
		})
	}
}
