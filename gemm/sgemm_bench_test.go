package gemm_test

import (
	"math/rand/v2"
	"testing"

	"github.com/simdnet/simdnet/bench"
	"github.com/simdnet/simdnet/gemm"
)

func randomMatrix(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(rng.Float64()*2 - 1)
	}
	return s
}

func reportGFLOPS(b *testing.B, s bench.Shape) {
	b.ReportMetric(s.Flops()*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
}

// BenchmarkSgemm reports GFLOPS for the square sizes and the seed ResNet50's
// im2col products (bench.GEMMShapes, the list the OpenBLAS anchor measures),
// on every kernel this CPU runs, generic included. Threads follow -cpu:
//
//	go test -bench Sgemm -cpu 1,2 ./gemm
//	go test -bench 'Sgemm/resnet/b32' -cpu 1 ./gemm
func BenchmarkSgemm(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, s := range bench.GEMMShapes() {
		a := randomMatrix(rng, s.M*s.K)
		bb := randomMatrix(rng, s.K*s.N)
		c := make([]float32, s.M*s.N)
		b.Run(s.Name, func(b *testing.B) {
			for _, kern := range gemm.Kernels() {
				b.Run(kern.ISA, func(b *testing.B) {
					p := gemm.Params{M: s.M, N: s.N, K: s.K, Alpha: 1, A: a, LDA: s.K, B: bb, LDB: s.N, C: c, LDC: s.N, Kernel: &kern}
					gemm.Run(&p)
					b.ResetTimer()
					// b.N, not b.Loop: with -cpu 1,2 a b.Loop benchmark times its first
					// figure before GOMAXPROCS is set (golang/go#49980).
					for range b.N {
						gemm.Run(&p)
					}
					reportGFLOPS(b, s)
				})
			}
		})
	}
}

// BenchmarkSgemmPrepacked is the inference path on the ResNet shapes: B (the
// weights) packed once, with the bias+ReLU epilogue a convolution fuses.
func BenchmarkSgemmPrepacked(b *testing.B) {
	rng := rand.New(rand.NewPCG(2, 2))
	for _, s := range bench.GEMMShapes() {
		if s.Name[:6] != "resnet" {
			continue
		}
		a := randomMatrix(rng, s.M*s.K)
		bb := randomMatrix(rng, s.K*s.N)
		bias := randomMatrix(rng, s.N)
		c := make([]float32, s.M*s.N)
		b.Run(s.Name, func(b *testing.B) {
			for _, kern := range gemm.Kernels() {
				b.Run(kern.ISA, func(b *testing.B) {
					p := gemm.Params{M: s.M, N: s.N, K: s.K, Alpha: 1, A: a, LDA: s.K, C: c, LDC: s.N,
						BPacked: gemm.PackB(&kern, false, s.K, s.N, bb, s.N), Bias: bias, ReLU: true}
					gemm.Run(&p)
					b.ResetTimer()
					// b.N, not b.Loop: with -cpu 1,2 a b.Loop benchmark times its first
					// figure before GOMAXPROCS is set (golang/go#49980).
					for range b.N {
						gemm.Run(&p)
					}
					reportGFLOPS(b, s)
				})
			}
		})
	}
}

// BenchmarkEpilogue shows what each activation of the epilogue costs on
// 1×1-convolution products with weights pre-packed and a bias (MobileNetV2's
// expansion and projection layers at 28×28, batch 1): no activation, ReLU
// (in the kernels' registers), ReLU6 (clip), hard_swish and SiLU (on each
// tile in L1), on every kernel, generic included. Threads follow -cpu:
//
//	go test -run '^$' -bench Epilogue -cpu 1 ./gemm
func BenchmarkEpilogue(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 3))
	acts := []struct {
		name string
		act  gemm.Activation
	}{
		{"none", gemm.Activation{}},
		{"relu", gemm.Activation{Kind: gemm.ActReLU}},
		{"relu6", gemm.Activation{Kind: gemm.ActClip, Lo: 0, Hi: 6}},
		{"hard_swish", gemm.Activation{Kind: gemm.ActHardSwish}},
		{"silu", gemm.Activation{Kind: gemm.ActSiLU}},
	}
	for _, s := range []bench.Shape{
		{Name: "expand_784x192x32", M: 784, N: 192, K: 32},
		{Name: "project_784x32x192", M: 784, N: 32, K: 192},
		{Name: "pointwise_196x384x384", M: 196, N: 384, K: 384},
	} {
		a := randomMatrix(rng, s.M*s.K)
		bb := randomMatrix(rng, s.K*s.N)
		bias := randomMatrix(rng, s.N)
		c := make([]float32, s.M*s.N)
		b.Run(s.Name, func(b *testing.B) {
			for _, kern := range gemm.Kernels() {
				packed := gemm.PackB(&kern, false, s.K, s.N, bb, s.N)
				for _, act := range acts {
					b.Run(kern.ISA+"/"+act.name, func(b *testing.B) {
						p := gemm.Params{M: s.M, N: s.N, K: s.K, Alpha: 1, A: a, LDA: s.K, C: c, LDC: s.N,
							BPacked: packed, Bias: bias, Act: act.act}
						gemm.Run(&p)
						b.ResetTimer()
						for range b.N {
							gemm.Run(&p)
						}
						reportGFLOPS(b, s)
					})
				}
			}
		})
	}
}
