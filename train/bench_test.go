package train

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/resnet"
)

// signsEpoch is the SIGNS training set size: an epoch is ceil(1080/batch)
// steps.
const signsEpoch = 1080

// syntheticBatch returns a random SIGNS-shaped batch and labels.
func syntheticBatch(rng *rand.Rand, batch int, in [3]int, classes int) (*ops.Tensor, []int) {
	x := randTensor(rng, batch, in[0], in[1], in[2])
	labels := make([]int, batch)
	for i := range labels {
		labels[i] = rng.IntN(classes)
	}
	return x, labels
}

// BenchmarkTrainStep times one Adam step of the tutorial's seed ResNet50 on
// SIGNS-shaped batches and projects the time of an epoch of 1080 images.
func BenchmarkTrainStep(b *testing.B) {
	for _, batch := range []int{32} {
		b.Run(fmt.Sprintf("seed/b%d", batch), func(b *testing.B) {
			cfg := resnet.Config{Arch: "resnet50-seed", InputShape: resnet.SignsInput, Classes: resnet.SignsClasses}
			g, err := cfg.Build()
			if err != nil {
				b.Fatal(err)
			}
			tr, err := NewTrainer(g, NewAdam())
			if err != nil {
				b.Fatal(err)
			}
			x, labels := syntheticBatch(rand.New(rand.NewPCG(1, 2)), batch, cfg.InputShape, cfg.Classes)
			if _, err := tr.Step(x, labels); err != nil { // allocate outside the timing
				b.Fatal(err)
			}
			b.ResetTimer()
			cpu0 := cpuTime()
			start := time.Now()
			// b.N, not b.Loop: with -cpu 1,2 a b.Loop benchmark times its first
			// figure before GOMAXPROCS is set (golang/go#49980).
			for range b.N {
				if _, err := tr.Step(x, labels); err != nil {
					b.Fatal(err)
				}
			}
			step := time.Since(start).Seconds() / float64(b.N)
			steps := (signsEpoch + batch - 1) / batch
			b.ReportMetric(step*1e3, "ms/step")
			b.ReportMetric(float64(batch)/step, "img/s")
			b.ReportMetric(step*float64(steps), "s/epoch")
			// The machine is shared: CPU time per step is the steadier measure.
			b.ReportMetric((cpuTime()-cpu0).Seconds()*1e3/float64(b.N), "cpu-ms/step")
		})
	}
}
