package train

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/simdnet/simdnet/gemm"
	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/resnet"
)

// TestWeightGradSplitK times every distinct convolution weight-gradient
// product of the seed ResNet50 at batch 32, whole and split along its
// depth, alternating, best of many runs. A tool: set SIMDNET_PROFILE=1.
func TestWeightGradSplitK(t *testing.T) {
	if os.Getenv("SIMDNET_PROFILE") == "" {
		t.Skip("set SIMDNET_PROFILE=1 to time the weight gradients")
	}
	cfg := resnet.Config{Arch: "resnet50-seed", InputShape: resnet.SignsInput, Classes: resnet.SignsClasses}
	g, err := cfg.Build()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	seen := map[string]bool{}
	var sum [2]time.Duration
	for _, nd := range g.Nodes() {
		l, ok := nd.Layer.(*ops.Conv2D)
		if !ok || seen[LayerKind(nd)+nd.Name()[:4]] {
			continue
		}
		seen[LayerKind(nd)+nd.Name()[:4]] = true
		geo, _ := l.Geometry(32, nd.Inputs[0].Shape)
		x := randTensor(rng, append([]int{32}, nd.Inputs[0].Shape...)...)
		dy := randTensor(rng, append([]int{32}, nd.Shape...)...)
		var pt patchesT
		pt.reset(x.Data, geo, true)
		grad := make([]float32, pt.rows()*l.Filters)
		var best [2]time.Duration
		for r := range 2 * 7 {
			split := r%2 == 1
			start := time.Now()
			gemm.Run(&gemm.Params{M: pt.rows(), N: l.Filters, K: geo.Rows(), Alpha: 1, APack: &pt,
				B: dy.Data, LDB: l.Filters, C: grad, LDC: l.Filters, SplitK: split})
			d := time.Since(start)
			if r < 2 {
				continue
			}
			if i := r % 2; best[i] == 0 || d < best[i] {
				best[i] = d
			}
		}
		sum[0] += best[0]
		sum[1] += best[1]
		fmt.Printf("%-28s %s %5d×%4d×%6d  whole %7.3f ms  split %7.3f ms  %.2f\n", LayerKind(nd), nd.Name()[:4], pt.rows(), l.Filters, geo.Rows(),
			best[0].Seconds()*1e3, best[1].Seconds()*1e3, best[1].Seconds()/best[0].Seconds())
	}
	fmt.Printf("GOMAXPROCS %d: sum of distinct layers whole %.2f ms, split %.2f ms\n", runtime.GOMAXPROCS(0), sum[0].Seconds()*1e3, sum[1].Seconds()*1e3)
}
