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
		for i := range p.Value {
			p.Value[i] = float32(rng.Float64() - 0.5)
		}
	}
	randomizeBN(g, rng)
}

// kernelOptions is every pair of a gemm kernel and a depthwise kernel the
// CPU runs: the plan must be right on each.
func kernelOptions() []plan.Options {
	var opts []plan.Options
	for _, k := range gemm.Kernels() {
		for _, d := range dwconv.Kernels() {
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
			checkCompiled(t, g, uint64(f))
		})
	}
}
