package resnet

import (
	"testing"

	"github.com/simdnet/simdnet/ops"
)

// BenchmarkForward times the unfused, layer-by-layer inference pass: the
// baseline the fused planner improves on.
func BenchmarkForward(b *testing.B) {
	for _, c := range []struct {
		name  string
		arch  Arch
		batch int
	}{
		{"seed/batch1", Seed, 1},
		{"seed/batch8", Seed, 8},
	} {
		b.Run(c.name, func(b *testing.B) {
			g, err := ResNet50(SignsInput, SignsClasses, c.arch)
			if err != nil {
				b.Fatal(err)
			}
			x := ops.NewTensor(c.batch, 64, 64, 3)
			for i := range x.Data {
				x.Data[i] = float32(i%255) / 255
			}
			b.ResetTimer()
			// b.N, not b.Loop: with -cpu 1,2 a b.Loop benchmark times its first
			// figure before GOMAXPROCS is set (golang/go#49980).
			for range b.N {
				if _, err := g.Forward(x, ops.Inference); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e6/float64(c.batch), "ms/image")
		})
	}
}
