package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// testKernels returns every kernel this machine runs, each with its own block
// sizes and again with tiny ones, so that small matrices cross every MC, KC
// and NC boundary and every edge tile.
func testKernels() []Kernel {
	var ks []Kernel
	for _, k := range Kernels() {
		ks = append(ks, k)
		tiny := k
		tiny.Name += "/tiny-blocks"
		tiny.MC, tiny.KC, tiny.NC = 2*k.MR, 5, 2*k.NR
		ks = append(ks, tiny)
	}
	return ks
}

func randSlice(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(rng.Float64()*2 - 1)
	}
	return s
}

func fill(s []float32, v float32) []float32 {
	for i := range s {
		s[i] = v
	}
	return s
}

// refGemm is the independent truth: the definition of the product, in
// float64, element by element, with the epilogue after it.
func refGemm(p *Params, a func(i, l int) float64) []float64 {
	out := make([]float64, p.M*p.N)
	for i := 0; i < p.M; i++ {
		for j := 0; j < p.N; j++ {
			var s float64
			for l := 0; l < p.K; l++ {
				var b float64
				if p.TransB {
					b = float64(p.B[j*p.LDB+l])
				} else {
					b = float64(p.B[l*p.LDB+j])
				}
				s += a(i, l) * b
			}
			v := float64(p.Alpha) * s
			if p.Beta != 0 {
				v += float64(p.Beta) * float64(p.C[i*p.LDC+j])
			}
			if p.Bias != nil {
				v += float64(p.Bias[j])
			}
			if p.Residual != nil {
				v += float64(p.Residual[i*p.LDR+j])
			}
			if p.ReLU {
				v = math.Max(v, 0)
			}
			out[i*p.N+j] = v
		}
	}
	return out
}

func matrixElem(data []float32, ld int, trans bool) func(i, l int) float64 {
	return func(i, l int) float64 {
		if trans {
			return float64(data[l*ld+i])
		}
		return float64(data[i*ld+l])
	}
}

// checkC compares C with the reference within a tolerance that grows with
// the length of the dot products, and checks that nothing outside the m×n
// view (the guard band between rows and after the last one) was written.
func checkC(t *testing.T, what string, p *Params, want []float64, guard float32) {
	t.Helper()
	tol := 1e-6 * float64(p.K+4)
	bad := 0
	for i := 0; i < p.M; i++ {
		for j := 0; j < p.LDC; j++ {
			got := p.C[i*p.LDC+j]
			if j >= p.N {
				if got != guard && !(math.IsNaN(float64(got)) && math.IsNaN(float64(guard))) {
					t.Errorf("%s: guard C[%d][%d] overwritten with %v", what, i, j, got)
					return
				}
				continue
			}
			w := want[i*p.N+j]
			if math.IsNaN(float64(got)) || math.Abs(float64(got)-w) > tol*math.Max(1, math.Abs(w)) {
				if bad++; bad <= 3 {
					t.Errorf("%s: C[%d][%d] = %v, want %v (tol %.2g)", what, i, j, got, w, tol)
				}
			}
		}
	}
	for x := p.M * p.LDC; x < len(p.C); x++ {
		if got := p.C[x]; got != guard && !(math.IsNaN(float64(got)) && math.IsNaN(float64(guard))) {
			t.Errorf("%s: guard after C at %d overwritten with %v", what, x, got)
			return
		}
	}
}

// newCase builds a product with random operands; pad > 0 makes every leading
// dimension larger than its matrix, so the matrices are views.
func newCase(rng *rand.Rand, m, n, k int, transA, transB bool, pad int, alpha, beta float32) *Params {
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	p := &Params{M: m, N: n, K: k, Alpha: alpha, Beta: beta, TransA: transA, TransB: transB,
		LDA: ac + pad, LDB: bc + pad, LDC: n + pad + 1}
	p.A = randSlice(rng, max(0, ar*p.LDA))
	p.B = randSlice(rng, max(0, br*p.LDB))
	p.C = randSlice(rng, m*p.LDC+7) // 7 guard values after the last row
	return p
}

func name(k Kernel, tA, tB bool, m, n, kk int) string {
	tr := func(b bool) string {
		if b {
			return "T"
		}
		return "N"
	}
	return fmt.Sprintf("%s/%s%s/%dx%dx%d", k.Name, tr(tA), tr(tB), m, n, kk)
}
