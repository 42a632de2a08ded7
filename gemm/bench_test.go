package gemm

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// benchShape is one product in the benchmark suite.
type benchShape struct {
	name    string
	m, n, k int
}

// BenchShapes are the square sizes and the im2col products of the seed
// ResNet50 at 64×64 (M = batch·Ho·Wo, N = filters, K = kh·kw·C) that the
// benchmarks and the README's table use.
func benchShapes() []benchShape {
	s := []benchShape{}
	for _, n := range []int{256, 512, 1024, 2048} {
		s = append(s, benchShape{fmt.Sprintf("square/%d", n), n, n, n})
	}
	for _, b := range []int{1, 32} {
		for _, r := range []struct {
			name    string
			m, n, k int
		}{
			{"conv1", 1024, 64, 147},
			{"s2-3x3", 225, 64, 576},
			{"s3-3x3", 64, 128, 1152},
			{"s4-3x3", 16, 256, 2304},
			{"s5-3x3", 4, 512, 4608},
			{"s5-1x1", 4, 2048, 512},
		} {
			s = append(s, benchShape{fmt.Sprintf("resnet/b%d-%s", b, r.name), r.m * b, r.n, r.k})
		}
	}
	return s
}

// BenchmarkSgemm reports GFLOPS for every shape and every kernel this CPU
// runs, generic included. Threads follow -cpu (GOMAXPROCS).
//
//	go test -bench Sgemm -cpu 1,2 ./gemm
//	go test -bench 'Sgemm/resnet/b32' -cpu 1 ./gemm
func BenchmarkSgemm(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, s := range benchShapes() {
		a := randSlice(rng, s.m*s.k)
		bb := randSlice(rng, s.k*s.n)
		c := make([]float32, s.m*s.n)
		b.Run(s.name, func(b *testing.B) {
			for _, kern := range Kernels() {
				b.Run(kern.ISA, func(b *testing.B) {
					p := Params{M: s.m, N: s.n, K: s.k, Alpha: 1, A: a, LDA: s.k, B: bb, LDB: s.n, C: c, LDC: s.n, Kernel: &kern}
					Run(&p)
					b.ResetTimer()
					for b.Loop() {
						Run(&p)
					}
					b.ReportMetric(2*float64(s.m)*float64(s.n)*float64(s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
				})
			}
		})
	}
}

// BenchmarkSgemmPrepacked is the inference path: B (the weights) packed once,
// with the bias+ReLU epilogue that a convolution layer fuses.
func BenchmarkSgemmPrepacked(b *testing.B) {
	rng := rand.New(rand.NewPCG(2, 2))
	for _, s := range benchShapes()[4:] {
		a := randSlice(rng, s.m*s.k)
		bb := randSlice(rng, s.k*s.n)
		bias := randSlice(rng, s.n)
		c := make([]float32, s.m*s.n)
		b.Run(s.name, func(b *testing.B) {
			for _, kern := range Kernels() {
				b.Run(kern.ISA, func(b *testing.B) {
					p := Params{M: s.m, N: s.n, K: s.k, Alpha: 1, A: a, LDA: s.k, C: c, LDC: s.n,
						BPacked: PackB(&kern, false, s.k, s.n, bb, s.n), Bias: bias, ReLU: true}
					Run(&p)
					b.ResetTimer()
					for b.Loop() {
						Run(&p)
					}
					b.ReportMetric(2*float64(s.m)*float64(s.n)*float64(s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
				})
			}
		})
	}
}

// BenchmarkMicroKernel measures each micro-kernel alone on panels that stay
// in L1 and L2: the ceiling the loops around it can reach. "packed" reads A
// strips packed (k step MR), "rows" reads A row-major in place (row stride
// k+16, k step 1), as the in-place and row-block paths do.
func BenchmarkMicroKernel(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 3))
	for _, kern := range Kernels() {
		for _, k := range []int{64, 256} {
			for _, layout := range []string{"packed", "rows"} {
				b.Run(fmt.Sprintf("%s/k%d/%s", kern.ISA, k, layout), func(b *testing.B) {
					const strips = 16 // one B panel against several A strips, as loop 1 does
					lda := k + 16
					a := randSlice(rng, strips*kern.MR*lda)
					bp := randSlice(rng, k*kern.NR)
					c := make([]float32, strips*kern.MR*kern.NR)
					aRS, aKS, step := 1, kern.MR, k*kern.MR
					if layout == "rows" {
						aRS, aKS, step = lda, 1, kern.MR*lda
					}
					for b.Loop() {
						for s := 0; s < strips; s++ {
							kern.fn(k, a[s*step:], aRS, aKS, bp, kern.NR, c[s*kern.MR*kern.NR:], kern.NR, nil, 0, nil, accumulate)
						}
					}
					b.ReportMetric(2*float64(strips*kern.MR*kern.NR*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
				})
			}
		}
	}
}
