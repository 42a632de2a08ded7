package train

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/simdnet/simdnet/ops"
)

// BenchmarkDepthwiseBackward times a 3×3 depthwise convolution's backward
// pass (input, kernel and bias gradients) at MobileNetV2-on-SIGNS sizes,
// batch 32, and reports the multiply-adds' rate.
func BenchmarkDepthwiseBackward(b *testing.B) {
	for _, c := range []struct{ side, ch, stride int }{{32, 32, 1}, {32, 96, 2}, {8, 192, 1}} {
		b.Run(fmt.Sprintf("%dx%dx%d_s%d", c.side, c.side, c.ch, c.stride), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			l, err := ops.NewDepthwiseConv2D(ops.DepthwiseConv2DConfig{Name: "dw", KernelSize: [2]int{3, 3},
				Strides: [2]int{c.stride, c.stride}, Padding: ops.Same}, c.ch, rng)
			if err != nil {
				b.Fatal(err)
			}
			const batch = 32
			x := randTensor(rng, batch, c.side, c.side, c.ch)
			gm, _ := l.Geometry(batch, x.Shape[1:])
			dz := randTensor(rng, batch, gm.OutH, gm.OutW, c.ch).Data
			dx := make([]float32, x.Len())
			partial := depthwisePartials(l, batch)
			grads := map[*ops.Param][]float32{l.Kernel: make([]float32, l.Kernel.Len()), l.Bias: make([]float32, l.Bias.Len())}
			grad := func(p *ops.Param) []float32 { return grads[p] }
			b.ResetTimer()
			for range b.N {
				depthwiseGrad(l, gm, partial, x.Data, dz, dx, false, grad)
			}
			macs := float64(2 * batch * gm.OutH * gm.OutW * c.ch * 9) // input and kernel gradients
			b.ReportMetric(2*macs*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
		})
	}
}
