package ops

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/simdnet/simdnet/gemm"
	"github.com/simdnet/simdnet/im2col"
)

// BenchmarkConv2D compares a convolution's Forward (patches packed straight
// into gemm) with the product alone on a prebuilt patch matrix, which
// bounds what packing costs.
func BenchmarkConv2D(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, c := range []struct {
		h, cin, cout, k, s int
		pad                Padding
	}{
		{15, 64, 64, 3, 1, Same},
		{70, 3, 64, 7, 2, Valid},
		{15, 256, 128, 1, 2, Valid},
		{8, 128, 512, 1, 1, Valid},
	} {
		l, err := NewConv2D(Conv2DConfig{Name: "c", Filters: c.cout, KernelSize: [2]int{c.k, c.k}, Strides: [2]int{c.s, c.s}, Padding: c.pad}, c.cin, rng)
		if err != nil {
			b.Fatal(err)
		}
		x := randTensor(rng, 8, c.h, c.h, c.cin)
		out, err := Apply(l, Inference, x)
		if err != nil {
			b.Fatal(err)
		}
		g, _ := l.Geometry(8, x.Shape[1:])
		flops := 2 * int64(g.Rows()) * int64(g.Cols()) * int64(c.cout)
		name := fmt.Sprintf("%dx%dx%d_k%d_s%d", c.h, c.h, c.cin, c.k, c.s)
		b.Run(name+"/Forward", func(b *testing.B) {
			b.SetBytes(flops) // "MB/s" reads as MFLOP/s
			// b.N, not b.Loop: with -cpu 1,2 a b.Loop benchmark times its first
			// figure before GOMAXPROCS is set (golang/go#49980).
			for range b.N {
				if err := l.Forward(out, []*Tensor{x}, Inference); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/GemmOnly", func(b *testing.B) {
			cols := make([]float32, g.Rows()*g.Cols())
			im2col.Im2Col(cols, x.Data, g)
			b.SetBytes(flops)
			b.ResetTimer()
			// b.N, not b.Loop: with -cpu 1,2 a b.Loop benchmark times its first
			// figure before GOMAXPROCS is set (golang/go#49980).
			for range b.N {
				gemm.Sgemm(false, false, g.Rows(), c.cout, g.Cols(), 1, cols, g.Cols(), l.Kernel.Value, c.cout, 0, out.Data, c.cout)
			}
		})
	}
}

// BenchmarkDepthwiseConv2DLayer times the layer's portable Forward (3×3,
// batch 32) at MobileNetV2-on-SIGNS sizes.
func BenchmarkDepthwiseConv2DLayer(b *testing.B) {
	for _, c := range []struct{ side, ch, stride int }{{32, 32, 1}, {32, 96, 2}, {8, 192, 1}} {
		b.Run(fmt.Sprintf("%dx%dx%d_s%d", c.side, c.side, c.ch, c.stride), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			l, err := NewDepthwiseConv2D(DepthwiseConv2DConfig{Name: "dw", KernelSize: [2]int{3, 3},
				Strides: [2]int{c.stride, c.stride}, Padding: Same, Activation: ReLU6}, c.ch, rng)
			if err != nil {
				b.Fatal(err)
			}
			x := randTensor(rng, 32, c.side, c.side, c.ch)
			out, _ := newOutput(l, []*Tensor{x})
			b.ResetTimer()
			for range b.N {
				if err := l.Forward(out, []*Tensor{x}, Inference); err != nil {
					b.Fatal(err)
				}
			}
			macs := float64(out.Len() * 9)
			b.ReportMetric(2*macs*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
		})
	}
}
