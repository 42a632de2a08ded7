package train

import (
	"runtime"
	"sync"

	"github.com/simdnet/simdnet/gemm"
)

// splitAlign keeps column bands a multiple of every kernel's NR.
const splitAlign = 64

// runGemm runs p on all cores, choosing which operand the goroutines share.
// gemm splits a product with many rows by rows of C, and then every
// goroutine packs all of B; for the input-gradient products of the deep
// layers, B (the kernel, F×K) is many times larger than A (dY, a few rows
// of F), so packing it twice costs more than the product. There, each
// goroutine takes a band of C's columns instead, packs only its band of B,
// and shares A. Either way every value of C is computed by the same
// sequence of operations, so results do not depend on the split.
func runGemm(p gemm.Params) {
	t := runtime.GOMAXPROCS(0)
	aSize, bSize := p.M*p.K, p.K*p.N
	bands := p.N / splitAlign
	if t < 2 || bSize <= 2*aSize || bands < t || p.BPacked != nil {
		gemm.Run(&p)
		return
	}
	var wg sync.WaitGroup
	for w := range t {
		lo, hi := bands*w/t*splitAlign, bands*(w+1)/t*splitAlign
		if w == t-1 {
			hi = p.N
		}
		q := p
		q.N, q.Threads = hi-lo, 1
		q.C = p.C[lo:]
		if p.TransB {
			q.B = p.B[lo*p.LDB:]
		} else {
			q.B = p.B[lo:]
		}
		if p.Bias != nil {
			q.Bias = p.Bias[lo:]
		}
		if p.Residual != nil {
			q.Residual = p.Residual[lo:]
		}
		if w == t-1 {
			gemm.Run(&q)
			continue
		}
		wg.Go(func() { gemm.Run(&q) })
	}
	wg.Wait()
}
