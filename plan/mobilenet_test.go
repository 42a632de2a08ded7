package plan_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simdnet/simdnet/mobilenet"
	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/plan"
)

// TestPlanMobileNetV2 compares the fused plan with the unfused graph on
// MobileNetV2 (odd input sizes, random weights and BatchNorm statistics) on
// every gemm and depthwise kernel: logits within 1e-4 relative. Every
// convolution absorbs its BatchNorm and ReLU6, every projection its
// residual Add, every strided depthwise convolution its padding.
func TestPlanMobileNetV2(t *testing.T) {
	alphas := []float64{0.35, 1}
	if testing.Short() {
		alphas = alphas[:1]
	}
	for _, alpha := range alphas {
		g, err := mobilenet.V2(mobilenet.V2Config{Alpha: alpha}, [3]int{37, 33, 3}, 5, 3)
		require.NoError(t, err)
		rng := rand.New(rand.NewPCG(11, 12))
		randomizeBN(g, rng)
		for _, batch := range []int{1, 3} {
			x := randomBatch(rng, batch, 37, 33, 3)
			want, err := g.Logits(x, ops.Inference)
			require.NoError(t, err)
			for _, o := range kernelOptions() {
				o.Logits = true
				p, err := plan.Compile(g, o)
				require.NoError(t, err)
				got, err := p.Forward(x)
				require.NoError(t, err)
				d := maxRelDiff(got.Data, want.Data)
				require.LessOrEqual(t, d, 1e-4, "alpha %v, batch %d on %s: logits differ by %.3g relative", alpha, batch, optName(o), d)
				// 35 convolutions and 17 depthwise convolutions, the
				// global pool and the classifier.
				require.Equal(t, 35+17+2, p.Steps())
				var sb strings.Builder
				p.Describe(&sb)
				require.Equal(t, 10, strings.Count(sb.String(), "+residual"), "the ten residual blocks")
			}
		}
	}
}

// TestPlanMobileNetV2Allocs: a warm plan runs MobileNetV2 allocating
// nothing, the depthwise steps' goroutines included.
func TestPlanMobileNetV2Allocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts differ under -race")
	}
	g, err := mobilenet.V2(mobilenet.V2Config{Alpha: 0.35}, [3]int{64, 64, 3}, 6, 1)
	require.NoError(t, err)
	p, err := plan.Compile(g, plan.Options{})
	require.NoError(t, err)
	x := randomBatch(rand.New(rand.NewPCG(1, 1)), 2, 64, 64, 3)
	out := ops.NewTensor(2, 6)
	require.NoError(t, p.Run(out, x))
	require.Zero(t, testing.AllocsPerRun(5, func() { _ = p.Run(out, x) }))
}
