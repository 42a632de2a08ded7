package gemm

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

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
							kern.fn(k, a[s*step:], aRS, aKS, bp, kern.NR, c[s*kern.MR*kern.NR:], kern.NR, nil, 0, nil, accumulate, bp, nil)
						}
					}
					b.ReportMetric(2*float64(strips*kern.MR*kern.NR*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
				})
			}
		}
	}
}
