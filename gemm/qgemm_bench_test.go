package gemm_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/simdnet/simdnet/bench"
	"github.com/simdnet/simdnet/gemm"
)

// BenchmarkQgemm reports int8 GOPS (two operations a multiply-add) on the
// shapes of BenchmarkSgemm, for every int8 kernel this CPU runs, with the
// u8 requantizing epilogue a quantized convolution uses; fp32 is the
// selected float kernel on the same shape with its bias+ReLU epilogue, for
// the ratio. Threads follow -cpu:
//
//	go test -run '^$' -bench 'Qgemm' -cpu 1,2 ./gemm
func BenchmarkQgemm(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 3))
	for _, s := range bench.GEMMShapes() {
		a := make([]uint8, s.M*s.K)
		for i := range a {
			a[i] = uint8(rng.IntN(256))
		}
		w := make([]int8, s.K*s.N)
		for i := range w {
			w[i] = int8(rng.IntN(256) - 128)
		}
		scale := make([]float32, s.N)
		for j := range scale {
			scale[j] = 1e-4
		}
		c := make([]uint8, s.M*s.N)
		b.Run(s.Name, func(b *testing.B) {
			for _, kern := range gemm.QKernels() {
				b.Run(kern.ISA, func(b *testing.B) {
					p := gemm.QParams{M: s.M, N: s.N, K: s.K, A: a, LDA: s.K, AZero: 128,
						B: gemm.PackS8For(kern, s.K, s.N, w, s.N), Scale: scale,
						C: c, LDC: s.N, OutZero: 0, Lo: 0, Hi: 255}
					gemm.RunQ(&p)
					b.ResetTimer()
					for range b.N {
						gemm.RunQ(&p)
					}
					b.ReportMetric(s.Flops()*float64(b.N)/b.Elapsed().Seconds()/1e9, "GOPS")
				})
			}
			b.Run("fp32", func(b *testing.B) {
				kern := gemm.Selected()
				af := randomMatrix(rng, s.M*s.K)
				bf := randomMatrix(rng, s.K*s.N)
				cf := make([]float32, s.M*s.N)
				p := gemm.Params{M: s.M, N: s.N, K: s.K, Alpha: 1, A: af, LDA: s.K, C: cf, LDC: s.N,
					BPacked: gemm.PackB(&kern, false, s.K, s.N, bf, s.N), Bias: randomMatrix(rng, s.N), ReLU: true}
				gemm.Run(&p)
				b.ResetTimer()
				for range b.N {
					gemm.Run(&p)
				}
				reportGFLOPS(b, s)
			})
		})
	}
}

// BenchmarkInt8Peak is one core's int8 dot-product peak for each int8
// assembly kernel's instructions, the ceiling of BenchmarkQgemm's figures.
func BenchmarkInt8Peak(b *testing.B) {
	for _, kern := range gemm.QKernels() {
		if _, ok := gemm.Int8PeakGOPS(kern.ISA, time.Millisecond); !ok {
			continue
		}
		b.Run(kern.ISA, func(b *testing.B) {
			var g float64
			for range b.N {
				g, _ = gemm.Int8PeakGOPS(kern.ISA, 20*time.Millisecond)
			}
			b.ReportMetric(g, "GOPS")
		})
	}
}
