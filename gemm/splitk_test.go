package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestSplitKAgainstReference runs split-K products against the float64
// reference, guard bands included: shapes whose rows and columns end in
// partial tiles and whose depth splits unevenly, every transpose pair,
// A read in place, packed in strips, from an APacker and from a
// RowPacker, alpha and beta, every kernel with its own and with tiny
// blocks, on 1, 2, 3 and 8 goroutines. The product must really be split
// (the test fails if splitKGroups declines it), and the result must be
// the same to the bit on any number of goroutines.
func TestSplitKAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(61, 62))
	shapes := [][4]int{ // m, n, k, groups expected
		{37, 45, 4133, 4}, {13, 70, 2100, 2}, {150, 33, 8200, 8}, {1, 1, 3001, 2}, {7, 300, 9000, 8},
	}
	kernels, modes := testKernels(), []string{"plain", "strips", "apacker", "rowpacker"}
	if testing.Short() || raceEnabled {
		kernels, modes = Kernels()[len(Kernels())-1:], []string{"plain", "apacker"}
	}
	for _, sz := range shapes {
		for _, tr := range transposes {
			for _, mode := range modes {
				alpha, beta := float32(1), float32(0)
				if mode == "strips" {
					alpha, beta = 0.5, 1.5
				}
				p := newCase(rng, sz[0], sz[1], sz[2], tr[0], tr[1], 2, alpha, beta)
				p.SplitK = true
				guard := float32(math.NaN())
				// beta reads C: its view gets values, the guard band NaN.
				c0 := fill(make([]float32, len(p.C)), guard)
				for i := 0; i < p.M; i++ {
					copy(c0[i*p.LDC:i*p.LDC+p.N], randSlice(rng, p.N))
				}
				copy(p.C, c0)
				want := refGemm(p, matrixElem(p.A, p.LDA, p.TransA))
				switch mode {
				case "apacker":
					p.APack = &funcPacker{elem: matrixElem(p.A, p.LDA, p.TransA)}
				case "rowpacker":
					p.APack = &funcRowPacker{funcPacker{elem: matrixElem(p.A, p.LDA, p.TransA)}}
				}
				for _, kern := range kernels {
					jb := job{m: p.M, n: p.N, k: p.K, kern: &kern}
					if g := splitKGroups(&jb); g != sz[3] {
						t.Fatalf("%v: %d groups, want %d", sz, g, sz[3])
					}
					var first []float32
					for _, threads := range []int{1, 2, 3, 8} {
						what := fmt.Sprintf("%s/%s/threads=%d", name(kern, tr[0], tr[1], p.M, p.N, p.K), mode, threads)
						copy(p.C, c0)
						p.Kernel, p.Threads = &kern, threads
						if mode == "strips" {
							testASource = aPackStrips
						}
						Run(p)
						testASource = aAuto
						checkC(t, what, p, want, guard)
						if first == nil {
							first = append([]float32(nil), p.C...)
						} else if !identical(first, p.C) {
							t.Fatalf("%s: result differs from one goroutine's", what)
						}
					}
				}
			}
		}
	}
}

// identical reports whether a and b hold the same bits (NaNs included).
func identical(a, b []float32) bool {
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return len(a) == len(b)
}

// TestSplitKDeclined checks the products SplitK leaves whole: an epilogue
// (bias, residual, activation), pre-packed B, a depth not well above C's
// sides. They must still be right.
func TestSplitKDeclined(t *testing.T) {
	rng := rand.New(rand.NewPCG(63, 64))
	kern := Kernels()[len(Kernels())-1]
	for _, mode := range []string{"bias", "residual", "relu", "prepacked", "shallow"} {
		m, n, k := 20, 40, 4100
		if mode == "shallow" {
			m, n, k = 1500, 40, 2500
		}
		p := newCase(rng, m, n, k, false, false, 1, 1, 0)
		p.SplitK, p.Kernel, p.Threads = true, &kern, 2
		switch mode {
		case "bias":
			p.Bias = randSlice(rng, p.N)
		case "residual":
			p.LDR = p.N
			p.Residual = randSlice(rng, p.M*p.N)
		case "relu":
			p.ReLU = true
		}
		want := refGemm(p, matrixElem(p.A, p.LDA, false))
		if mode == "prepacked" {
			p.BPacked = PackB(&kern, false, p.K, p.N, p.B, p.LDB)
		}
		jb := job{m: p.M, n: p.N, k: p.K, kern: &kern, bias: p.Bias, res: p.Residual, relu: p.ReLU}
		if p.BPacked != nil {
			jb.bSrc = bPrepacked
		}
		if g := splitKGroups(&jb); g != 1 {
			t.Errorf("%s: split into %d groups", mode, g)
		}
		guard := p.C[len(p.C)-1]
		Run(p)
		if p.C[len(p.C)-1] != guard {
			t.Errorf("%s: guard after C overwritten", mode)
		}
		p.LDC, p.C = p.N, compact(p)
		checkC(t, mode, p, want, 0)
	}
}

// TestSplitKZeroAllocs: a steady stream of split-K calls reuses its
// partial sums and allocates nothing.
func TestSplitKZeroAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	rng := rand.New(rand.NewPCG(65, 66))
	for _, threads := range []int{1, 2} {
		p := newCase(rng, 30, 64, 6000, false, false, 0, 1, 0)
		p.SplitK, p.Threads = true, threads
		Run(p)
		if allocs := testing.AllocsPerRun(20, func() { Run(p) }); allocs != 0 {
			t.Errorf("%d threads: %v allocations per call, want 0", threads, allocs)
		}
	}
}
