package plan_test

import (
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/simdnet/simdnet/gemm"
	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/plan"
	"github.com/simdnet/simdnet/resnet"
)

// randomizeBN gives every BatchNormalization statistics and affine values far
// from the initial 0/1, so that folding them into the convolutions matters.
func randomizeBN(g *ops.Graph, rng *rand.Rand) {
	for _, n := range g.Nodes() {
		bn, ok := n.Layer.(*ops.BatchNormalization)
		if !ok {
			continue
		}
		for i := range bn.Gamma.Value {
			bn.Gamma.Value[i] = float32(0.5 + rng.Float64())
			bn.Beta.Value[i] = float32(rng.Float64() - 0.5)
			bn.MovingMean.Value[i] = float32(rng.Float64() - 0.5)
			bn.MovingVariance.Value[i] = float32(0.5 + rng.Float64())
		}
	}
}

func randomBatch(rng *rand.Rand, shape ...int) *ops.Tensor {
	x := ops.NewTensor(shape...)
	for i := range x.Data {
		x.Data[i] = float32(rng.Float64())
	}
	return x
}

// maxRelDiff is max |a-b| / max |b|: the error relative to the output's scale.
func maxRelDiff(a, b []float32) float64 {
	var d, m float64
	for i := range a {
		d = math.Max(d, math.Abs(float64(a[i]-b[i])))
		m = math.Max(m, math.Abs(float64(b[i])))
	}
	return d / math.Max(m, 1e-30)
}

// TestPlanResNet50 compares the fused plan with the unfused graph on the whole
// seed ResNet50 (and the standard one), random weights and BatchNorm
// statistics, on every kernel.
func TestPlanResNet50(t *testing.T) {
	archs := []string{"resnet50-seed", "resnet50"}
	if testing.Short() {
		archs = archs[:1]
	}
	for _, arch := range archs {
		g, err := resnet.Config{Arch: arch, InputShape: [3]int{64, 64, 3}, Classes: 6, Seed: 1}.Build()
		require.NoError(t, err)
		rng := rand.New(rand.NewPCG(1, 2))
		randomizeBN(g, rng)
		x := randomBatch(rng, 2, 64, 64, 3)
		want, err := g.Logits(x, ops.Inference)
		require.NoError(t, err)
		for _, kern := range gemm.Kernels() {
			p, err := plan.Compile(g, plan.Options{Kernel: &kern, Logits: true})
			require.NoError(t, err)
			got, err := p.Forward(x)
			require.NoError(t, err)
			d := maxRelDiff(got.Data, want.Data)
			require.LessOrEqual(t, d, 1e-4, "%s on %s: logits differ by %.3g relative", arch, kern.Name, d)
			// Every convolution absorbed its BatchNorm and ReLU/Add: conv
			// steps, a max pool, an average pool and the dense layer.
			require.Equal(t, 53+3, p.Steps(), "%s: fused steps", arch)
		}
	}
}

// TestPlanProbabilities: without Logits the plan ends in the softmax.
func TestPlanProbabilities(t *testing.T) {
	g, err := resnet.Config{Arch: "resnet50-seed", InputShape: [3]int{64, 64, 3}, Classes: 6}.Build()
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(3, 4))
	x := randomBatch(rng, 1, 64, 64, 3)
	want, err := g.Forward(x, ops.Inference)
	require.NoError(t, err)
	p, err := plan.Compile(g, plan.Options{})
	require.NoError(t, err)
	got, err := p.Forward(x)
	require.NoError(t, err)
	require.InDeltaSlice(t, want.Data, got.Data, 1e-5)
}

// smallGraph uses every step kind the planner has, including the layers it
// cannot fuse: a BatchNorm and an Add after a pool, a padding before a pool,
// a global max pool and a Dense with a ReLU.
func smallGraph(t *testing.T) *ops.Graph {
	g := ops.NewGraph(7)
	x := g.Input("in", 9, 11, 3)
	x = g.ZeroPadding2D(x, 2, 1)
	x = g.Conv2D(x, ops.Conv2DConfig{Name: "c1", Filters: 8, KernelSize: [2]int{3, 3}, Strides: [2]int{2, 2}, Padding: ops.Same})
	a := g.BatchNormalization(x, "bn1")
	a = g.Activation(a, ops.ReLU)
	b := g.Conv2D(a, ops.Conv2DConfig{Name: "c2", Filters: 8, KernelSize: [2]int{1, 1}})
	x = g.Add(a, b) // a has two readers: no fusion of a into c1's epilogue as residual owner
	x = g.ZeroPadding2D(x, 1, 1)
	x = g.MaxPooling2D(x, ops.Pool2DConfig{PoolSize: [2]int{2, 2}, Padding: ops.Same})
	x = g.BatchNormalization(x, "bn2")
	y := g.AveragePooling2D(x, ops.Pool2DConfig{PoolSize: [2]int{2, 2}, Strides: [2]int{1, 1}})
	y = g.GlobalMaxPooling2D(y)
	z := g.GlobalAveragePooling2D(x)
	x = g.Add(y, z)
	x = g.Activation(x, ops.ReLU)
	x = g.Dense(x, ops.DenseConfig{Name: "d1", Units: 5, Activation: ops.ReLU})
	x = g.Dense(x, ops.DenseConfig{Name: "d2", Units: 4, Activation: ops.Softmax})
	g.SetOutput(x)
	require.NoError(t, g.Build())
	return g
}

func TestPlanEveryStepKind(t *testing.T) {
	g := smallGraph(t)
	rng := rand.New(rand.NewPCG(5, 6))
	randomizeBN(g, rng)
	for _, batch := range []int{1, 3} {
		x := randomBatch(rng, batch, 9, 11, 3)
		want, err := g.Forward(x, ops.Inference)
		require.NoError(t, err)
		for _, kern := range gemm.Kernels() {
			p, err := plan.Compile(g, plan.Options{Kernel: &kern})
			require.NoError(t, err)
			got, err := p.Forward(x)
			require.NoError(t, err)
			require.LessOrEqual(t, maxRelDiff(got.Data, want.Data), 1e-5, kern.Name)
		}
	}
}

// TestPlanArenaSharesMemory: liveness must let values share the arena, so
// the arena is much smaller than all intermediate tensors together.
func TestPlanArenaSharesMemory(t *testing.T) {
	g, err := resnet.Config{Arch: "resnet50-seed", InputShape: [3]int{64, 64, 3}, Classes: 6}.Build()
	require.NoError(t, err)
	p, err := plan.Compile(g, plan.Options{})
	require.NoError(t, err)
	total := 0
	for _, n := range g.Nodes() {
		total += 4 * n.Shape.Len()
	}
	require.Less(t, p.ArenaBytes(1)*4, total, "arena %d bytes, all tensors %d", p.ArenaBytes(1), total)
	var sb strings.Builder
	p.Describe(&sb)
	require.Contains(t, sb.String(), "+residual")
}

func TestPlanZeroAllocsAndConcurrency(t *testing.T) {
	g, err := resnet.Config{Arch: "resnet50-seed", InputShape: [3]int{64, 64, 3}, Classes: 6}.Build()
	require.NoError(t, err)
	p, err := plan.Compile(g, plan.Options{})
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(7, 8))
	x := randomBatch(rng, 2, 64, 64, 3)
	out := ops.NewTensor(2, 6)
	require.NoError(t, p.Run(out, x))
	if !raceEnabled {
		allocs := testing.AllocsPerRun(5, func() { _ = p.Run(out, x) })
		require.Zero(t, allocs, "allocations per Run with GOMAXPROCS=%d", runtime.GOMAXPROCS(0))
	}
	want := append([]float32(nil), out.Data...)
	var wg sync.WaitGroup
	errs := make([]error, 6)
	outs := make([]*ops.Tensor, 6)
	for i := range outs {
		outs[i] = ops.NewTensor(2, 6)
		wg.Go(func() { errs[i] = p.Run(outs[i], x) })
	}
	wg.Wait()
	for i := range outs {
		require.NoError(t, errs[i])
		require.Equal(t, want, outs[i].Data, "goroutine %d", i)
	}
}

func TestPlanErrors(t *testing.T) {
	g := smallGraph(t)
	p, err := plan.Compile(g, plan.Options{})
	require.NoError(t, err)
	for _, tc := range []struct {
		x    *ops.Tensor
		want string
	}{
		{ops.NewTensor(9, 11, 3), "want a batch"},
		{ops.NewTensor(1, 9, 11, 4), "(9, 11, 3)"},
		{&ops.Tensor{Shape: ops.Shape{0, 9, 11, 3}}, "at least one"},
		{nil, "input is nil"},
	} {
		_, err := p.Forward(tc.x)
		require.ErrorContains(t, err, tc.want)
	}
	require.ErrorContains(t, p.Run(ops.NewTensor(2, 4), ops.NewTensor(1, 9, 11, 3)), "output tensor")

	g.Layer("c2").Params()[0].Value[3] = float32(math.NaN())
	_, err = plan.Compile(g, plan.Options{})
	require.ErrorContains(t, err, "c2")
	require.ErrorContains(t, err, "NaN")
}

// TestPlanSubBatches runs batches in chunks of every size, including
// chunks that do not divide the batch, on the small graph (whose steps all
// run chunk by chunk) and on the seed ResNet50 (whose early stages do):
// the result must match the unchunked plan and the graph.
func TestPlanSubBatches(t *testing.T) {
	g := smallGraph(t)
	rng := rand.New(rand.NewPCG(7, 8))
	randomizeBN(g, rng)
	for _, batch := range []int{1, 3, 5} {
		x := randomBatch(rng, batch, 9, 11, 3)
		want, err := g.Forward(x, ops.Inference)
		require.NoError(t, err)
		for _, sub := range []int{-1, 1, 2, 8} {
			p, err := plan.Compile(g, plan.Options{SubBatch: sub})
			require.NoError(t, err)
			got, err := p.Forward(x)
			require.NoError(t, err)
			require.LessOrEqual(t, maxRelDiff(got.Data, want.Data), 1e-5, "batch %d, sub-batch %d", batch, sub)
		}
	}

	r, err := resnet.Config{Arch: "resnet50-seed", InputShape: [3]int{64, 64, 3}, Classes: 6, Seed: 2}.Build()
	require.NoError(t, err)
	randomizeBN(r, rng)
	x := randomBatch(rng, 11, 64, 64, 3)
	whole, err := plan.Compile(r, plan.Options{SubBatch: -1, Logits: true})
	require.NoError(t, err)
	want, err := whole.Forward(x)
	require.NoError(t, err)
	for _, sub := range []int{0, 4} {
		p, err := plan.Compile(r, plan.Options{SubBatch: sub, Logits: true})
		require.NoError(t, err)
		var sb strings.Builder
		p.Describe(&sb)
		require.Contains(t, sb.String(), "images at a time", "the early stages must be sub-batched")
		got, err := p.Forward(x)
		require.NoError(t, err)
		require.LessOrEqual(t, maxRelDiff(got.Data, want.Data), 1e-5, "sub-batch %d", sub)
		require.Less(t, p.ArenaBytes(32), whole.ArenaBytes(32), "chunking must shrink a batch-32 arena")
	}
}

// TestPlanProfile: one entry per step, in Describe's words, shares adding
// up to the whole, and bad arguments refused with a message.
func TestPlanProfile(t *testing.T) {
	g := smallGraph(t)
	p, err := plan.Compile(g, plan.Options{SubBatch: 2})
	require.NoError(t, err)
	x := randomBatch(rand.New(rand.NewPCG(9, 9)), 3, 9, 11, 3)
	const runs = 10
	_, err = p.Profile(x, 1) // warm the arena pool, so the timed call is all runs
	require.NoError(t, err)
	start := time.Now()
	times, err := p.Profile(x, runs)
	wall := time.Since(start)
	require.NoError(t, err)
	require.Len(t, times, p.Steps())
	var sb strings.Builder
	p.Describe(&sb)
	sum := 0.0
	var perRun time.Duration
	for i, st := range times {
		require.Equal(t, i, st.Step)
		require.Contains(t, sb.String(), st.What)
		if strings.HasPrefix(st.What, "conv2d") {
			require.Positive(t, st.Time, "step %d (%s) does real work", i, st.What)
		}
		perRun += st.Time
		sum += st.Percent
	}
	require.InDelta(t, 100, sum, 1e-6)
	// Times are per run: all runs together (and the warm-up) fit in the
	// call's own wall time, and a whole run takes some time.
	require.Positive(t, perRun)
	require.LessOrEqual(t, runs*perRun, wall, "step times are not per run")

	_, err = p.Profile(x, 0)
	require.ErrorContains(t, err, "0 runs")
	_, err = p.Profile(randomBatch(rand.New(rand.NewPCG(1, 1)), 1, 9, 11, 4), 1)
	require.ErrorContains(t, err, "input is shape (1, 9, 11, 4)")
}
