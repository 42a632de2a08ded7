package plan_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simdnet/simdnet/gemm"
	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/plan"
)

// TestPlanDenseAnyRank: Dense applies to the last axis of an input of any
// rank, so the plan's product has batch × (all but the last axis) rows. A
// plan that multiplied only batch rows leaves the rest of its output stale.
func TestPlanDenseAnyRank(t *testing.T) {
	for _, shape := range [][]int{{8}, {7, 8}, {4, 4, 8}, {3, 5, 2, 8}} {
		for _, act := range []ops.ActFunc{ops.Linear, ops.ReLU, ops.Softmax} {
			g := ops.NewGraph(11)
			x := g.Input("in", shape...)
			x = g.Dense(x, ops.DenseConfig{Name: "d1", Units: 5, Activation: ops.ReLU})
			x = g.Dense(x, ops.DenseConfig{Name: "d2", Units: 3, Activation: act})
			g.SetOutput(x)
			require.NoError(t, g.Build())
			rng := rand.New(rand.NewPCG(uint64(len(shape)), uint64(act)))
			for _, p := range g.Params() {
				for i := range p.Value {
					p.Value[i] = float32(rng.Float64() - 0.5)
				}
			}
			for _, batch := range []int{1, 3} {
				x := randomBatch(rng, append([]int{batch}, shape...)...)
				want, err := g.Forward(x, ops.Inference)
				require.NoError(t, err)
				for _, kern := range gemm.Kernels() {
					for _, sub := range []int{-1, 2} {
						p, err := plan.Compile(g, plan.Options{Kernel: &kern, SubBatch: sub})
						require.NoError(t, err)
						// Poison the output: every value must be written.
						got := ops.NewTensor(want.Shape...)
						for i := range got.Data {
							got.Data[i] = 1e9
						}
						require.NoError(t, p.Run(got, x))
						what := fmt.Sprintf("input %v, %v, batch %d, %s, sub-batch %d", shape, act, batch, kern.Name, sub)
						require.LessOrEqual(t, maxRelDiff(got.Data, want.Data), 1e-5, what)
					}
				}
			}
		}
	}
}
