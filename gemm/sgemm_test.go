package gemm

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/gonum"
)

var transposes = [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}}

// runAgainstGonum multiplies with our kernel and with gonum's reference
// Sgemm on copies of the same operands, and compares, guard band included.
func runAgainstGonum(t *testing.T, kern Kernel, p *Params, what string) {
	t.Helper()
	want := make([]float32, len(p.C))
	copy(want, p.C)
	tA, tB := blas.NoTrans, blas.NoTrans
	if p.TransA {
		tA = blas.Trans
	}
	if p.TransB {
		tB = blas.Trans
	}
	gonum.Implementation{}.Sgemm(tA, tB, p.M, p.N, p.K, p.Alpha, p.A, p.LDA, p.B, p.LDB, p.Beta, want, p.LDC)
	p.Kernel = &kern
	Run(p)
	tol := float32(2e-6 * float64(p.K+4))
	for x := range want {
		g, w := p.C[x], want[x]
		if math.IsNaN(float64(g)) || math.Abs(float64(g-w)) > float64(tol)*math.Max(1, math.Abs(float64(w))) {
			t.Fatalf("%s: C[%d][%d] = %v, gonum gives %v", what, x/p.LDC, x%p.LDC, g, w)
		}
	}
}

// TestSgemmAllSmallSizes covers every m, n, k in 1..40 for every transpose
// pair and kernel: every edge tile and, with tiny blocks, every block edge.
func TestSgemmAllSmallSizes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	maxDim := 40
	if testing.Short() {
		maxDim = 17
	}
	defer func() { testASource = aAuto }()
	for ki, kern := range testKernels() {
		// A in place, in row blocks and in strips, in turn.
		testASource = []aSource{aAuto, aRowBlock, aPackStrips}[ki%3]
		for _, tr := range transposes {
			// One set of operands big enough for every size; each size is a view.
			base := newCase(rng, maxDim, maxDim, maxDim, tr[0], tr[1], 3, 1, 0)
			for m := 1; m <= maxDim; m++ {
				for n := 1; n <= maxDim; n++ {
					for k := 1; k <= maxDim; k++ {
						p := *base
						p.M, p.N, p.K = m, n, k
						p.C = make([]float32, m*p.LDC)
						runAgainstGonum(t, kern, &p, name(kern, tr[0], tr[1], m, n, k))
					}
				}
			}
		}
	}
}

// TestSgemmAlphaBeta checks the scalars, NaN-filled C under beta = 0, views
// with ld > width, and both ways of reading B (packed, and in place).
func TestSgemmAlphaBeta(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	defer func() { testBSource = bAuto }()
	defer func() { testASource = aAuto }()
	for _, kern := range testKernels() {
		for si, bSrc := range []bSource{bPackPerCall, bInPlace} {
			testBSource = bSrc
			testASource = []aSource{aAuto, aRowBlock}[si]
			for _, tr := range transposes {
				for _, ab := range [][2]float32{{1, 0}, {1, 1}, {-0.5, -0.5}, {0, 1}, {0, 0}, {1, -0.5}, {-0.5, 0}} {
					for _, sz := range [][3]int{{1, 1, 1}, {7, 33, 19}, {30, 5, 64}, {13, 70, 3}} {
						p := newCase(rng, sz[0], sz[1], sz[2], tr[0], tr[1], 2, ab[0], ab[1])
						guard := float32(math.NaN())
						fill(p.C[p.M*p.LDC:], guard)
						for i := 0; i < p.M; i++ {
							fill(p.C[i*p.LDC+p.N:(i+1)*p.LDC], guard)
						}
						if ab[1] == 0 {
							fill(p.C, float32(math.NaN())) // must not leak
						}
						want := refGemm(p, matrixElem(p.A, p.LDA, p.TransA))
						p.Kernel = &kern
						Run(p)
						checkC(t, name(kern, tr[0], tr[1], sz[0], sz[1], sz[2]), p, want, guard)
					}
				}
			}
		}
	}
}

// TestSgemmRandomShapes runs random shapes up to ~600 and a long k, on every
// kernel and with one and two goroutines.
func TestSgemmRandomShapes(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	shapes := [][3]int{{1, 600, 1}, {600, 1, 3}, {3, 5, 5000}, {97, 131, 1201}}
	for i := 0; i < 6; i++ {
		shapes = append(shapes, [3]int{1 + rng.IntN(600), 1 + rng.IntN(600), 1 + rng.IntN(600)})
	}
	if testing.Short() {
		shapes = shapes[:5]
	}
	for _, kern := range Kernels() {
		for i, sz := range shapes {
			tr := transposes[i%4]
			p := newCase(rng, sz[0], sz[1], sz[2], tr[0], tr[1], i%3, 1, 0.5)
			p.Threads = 1 + i%2
			runAgainstGonum(t, kern, p, name(kern, tr[0], tr[1], sz[0], sz[1], sz[2]))
		}
	}
}

// TestEpilogue checks bias, residual and ReLU, alone and together, against
// the unfused arithmetic, on plain, prepacked and caller-packed operands.
func TestEpilogue(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, kern := range testKernels() {
		for _, sz := range [][3]int{{1, 1, 1}, {13, 37, 29}, {64, 64, 300}, {5, 100, 7}} {
			for mask := 0; mask < 8; mask++ {
				for _, mode := range []string{"plain", "prepacked", "apacker", "rowpacker", "strips", "ld512"} {
					p := newCase(rng, sz[0], sz[1], sz[2], false, mask%2 == 1, 1, 1, float32(mask%3)*0.5)
					if mask&1 != 0 {
						p.Bias = randSlice(rng, p.N)
					}
					if mask&2 != 0 {
						p.LDR = p.N + 3
						p.Residual = randSlice(rng, p.M*p.LDR)
					}
					p.ReLU = mask&4 != 0
					guard := p.C[len(p.C)-1]
					want := refGemm(p, matrixElem(p.A, p.LDA, false))
					p.Kernel = &kern
					switch mode {
					case "prepacked":
						p.BPacked = PackB(&kern, p.TransB, p.K, p.N, p.B, p.LDB)
					case "apacker":
						p.APack = &funcPacker{elem: matrixElem(p.A, p.LDA, false)}
					case "rowpacker":
						p.APack = &funcRowPacker{funcPacker{elem: matrixElem(p.A, p.LDA, false)}}
					case "strips":
						testASource = aPackStrips
					case "ld512":
						// A's rows alias in L1: copied in row blocks, not read in place.
						a := randSlice(rng, p.M*512)
						for i := 0; i < p.M; i++ {
							copy(a[i*512:i*512+p.K], p.A[i*p.LDA:i*p.LDA+p.K])
						}
						p.A, p.LDA = a, 512
					}
					Run(p)
					testASource = aAuto
					// The guard between rows is random data here, so check the
					// trailing guard by hand and the view by checkC with its own.
					require.Equal(t, guard, p.C[len(p.C)-1])
					p.LDC, p.C = p.N, compact(p)
					checkC(t, kern.Name+"/"+mode, p, want, 0)
				}
			}
		}
	}
}

// compact copies the m×n view of C out of its padded storage.
func compact(p *Params) []float32 {
	out := make([]float32, p.M*p.N)
	for i := 0; i < p.M; i++ {
		copy(out[i*p.N:], p.C[i*p.LDC:i*p.LDC+p.N])
	}
	return out
}

// funcPacker is a caller-supplied A operand that packs element by element
// from a function, independently of the built-in packer.
type funcPacker struct{ elem func(i, l int) float64 }

func (f *funcPacker) PackA(dst []float32, i0, mc, p0, kc, mr int) {
	for s := 0; s*mr < mc; s++ {
		for p := 0; p < kc; p++ {
			for i := 0; i < mr; i++ {
				v := float32(0)
				if s*mr+i < mc {
					v = float32(f.elem(i0+s*mr+i, p0+p))
				}
				dst[s*kc*mr+p*mr+i] = v
			}
		}
	}
}

// funcRowPacker is a caller-supplied A operand that also packs row-major.
type funcRowPacker struct{ funcPacker }

func (f *funcRowPacker) PackRows(dst []float32, ld, i0, mc, p0, kc int) {
	for i := 0; i < mc; i++ {
		for p := 0; p < kc; p++ {
			dst[i*ld+p] = float32(f.elem(i0+i, p0+p))
		}
	}
}

// TestParallelMatchesSingleThread: splitting C between goroutines does not
// change the order of any sum, so results must be identical to the bit.
func TestParallelMatchesSingleThread(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, kern := range Kernels() {
		for _, sz := range [][3]int{{300, 200, 150}, {4, 700, 300}, {1000, 16, 40}} {
			p := newCase(rng, sz[0], sz[1], sz[2], false, false, 0, 1, 0)
			p.Kernel, p.Threads = &kern, 1
			fill(p.C, -1)
			Run(p)
			one := append([]float32(nil), p.C...)
			for _, threads := range []int{2, 3, 8} {
				p.Threads = threads
				fill(p.C, -1)
				Run(p)
				require.Equal(t, one, p.C, "%s %v threads=%d", kern.Name, sz, threads)
			}
		}
	}
}

// twinFlags are the flag sets TestKernelsAgainstTwin tries: every
// combination of the first four, and the clip and LeakyReLU alone, together
// and after all the others.
var twinFlags = []uint{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
	applyClip, applyLeaky, applyClip | applyLeaky, 15 | applyClip, 15 | applyLeaky, 11 | applyClip | applyLeaky,
	applyHardSwish, applySigmoid, applySiLU, 15 | applyHardSwish, 15 | applySigmoid, 15 | applySiLU}

// TestKernelsAgainstTwin runs each micro-kernel directly against its Go twin
// on identical inputs, for every flag combination (residual included), both A layouts (packed
// strips, rows in place), both B strides and several depths, with a guard
// band around the C tile.
func TestKernelsAgainstTwin(t *testing.T) {
	// Bounds and slope that cut through the random sums (about ±3).
	act := Activation{Lo: -0.3, Hi: 0.5, Alpha: -0.7}
	rng := rand.New(rand.NewPCG(11, 12))
	type tested struct {
		Name   string
		MR, NR int
		fn     microKernel
		acts   uint
	}
	var kernels []tested
	for _, k := range Kernels() {
		kernels = append(kernels, tested{k.Name, k.MR, k.NR, k.fn, k.acts})
		if k.edge4 != nil {
			kernels = append(kernels, tested{k.Name + "/edge4", 4, k.NR, k.edge4, k.acts})
		}
	}
	for _, kern := range kernels {
		mr, nr := kern.MR, kern.NR
		for _, k := range []int{1, 2, 3, 4, 5, 7, 8, 9, 31, 256, 257} {
			for _, aLayout := range [][2]int{{1, mr}, {k + 3, 1}, {1024, 1}} {
				aRS, aKS := aLayout[0], aLayout[1]
				for _, bStride := range []int{nr, nr + 5} {
					for _, flags := range twinFlags {
						if flags&kernelActs&^kern.acts != 0 {
							continue // the driver applies that one
						}
						// Exactly as long as the kernel may read, so that the
						// bounds-checked kernels catch an overrun.
						a := randSlice(rng, (mr-1)*aRS+(k-1)*aKS+1)
						b := randSlice(rng, (k-1)*bStride+nr)
						bias := randSlice(rng, nr)
						ldr := nr + 7
						res := randSlice(rng, (mr-1)*ldr+nr)
						ldc := nr + 3
						c := randSlice(rng, (mr+2)*ldc) // one guard row above and below
						want := append([]float32(nil), c...)
						sgemmKernelRef(mr, nr, k, a, aRS, aKS, b, bStride, want[ldc:], ldc, res, ldr, bias, flags, &act)
						kern.fn(k, a, aRS, aKS, b, bStride, c[ldc:], ldc, res, ldr, bias, flags, bias, &act)
						tol := float32(1e-6 * float64(k+4))
						for x := range c {
							if d := c[x] - want[x]; d > tol || d < -tol {
								t.Fatalf("%s k=%d aRS=%d aKS=%d bStride=%d flags=%09b: c[%d] = %v, twin gives %v",
									kern.Name, k, aRS, aKS, bStride, flags, x, c[x], want[x])
							}
						}
					}
				}
			}
		}
	}
}

func TestZeroAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	rng := rand.New(rand.NewPCG(13, 14))
	for _, kern := range Kernels() {
		for _, threads := range []int{1, 2} {
			for _, act := range []ActKind{ActNone, ActSiLU} {
				p := newCase(rng, 100, 120, 130, false, false, 0, 1, 0)
				p.Kernel, p.Threads = &kern, threads
				p.Act = Activation{Kind: act, Lo: -1, Hi: 1}
				Run(p) // warm the workspace pool and start the workers
				if allocs := testing.AllocsPerRun(20, func() { Run(p) }); allocs != 0 {
					t.Errorf("%s, %d threads, %v: %v allocations per call, want 0", kern.Name, threads, act, allocs)
				}
			}
		}
	}
}

func TestArgumentPanics(t *testing.T) {
	a, b, c := make([]float32, 12), make([]float32, 12), make([]float32, 12)
	cases := []struct {
		want string
		call func()
	}{
		{"m = -1", func() { Sgemm(false, false, -1, 3, 4, 1, a, 4, b, 3, 0, c, 3) }},
		{"n = -1", func() { Sgemm(false, false, 3, -1, 4, 1, a, 4, b, 3, 0, c, 3) }},
		{"k = -1", func() { Sgemm(false, false, 3, 3, -1, 1, a, 4, b, 3, 0, c, 3) }},
		{"lda = 3", func() { Sgemm(false, false, 3, 3, 4, 1, a, 3, b, 3, 0, c, 3) }},
		{"ldb = 2", func() { Sgemm(false, false, 3, 3, 4, 1, a, 4, b, 2, 0, c, 3) }},
		{"ldc = 1", func() { Sgemm(false, false, 3, 3, 4, 1, a, 4, b, 3, 0, c, 1) }},
		{"len(a) = 11", func() { Sgemm(false, false, 3, 3, 4, 1, a[:11], 4, b, 3, 0, c, 3) }},
		{"len(b)", func() { Sgemm(false, false, 3, 3, 4, 1, a, 4, b[:5], 3, 0, c, 3) }},
		{"len(c)", func() { Sgemm(false, false, 3, 3, 4, 1, a, 4, b, 3, 0, c[:8], 3) }},
		{"len(bias)", func() {
			Run(&Params{M: 3, N: 3, K: 4, Alpha: 1, A: a, LDA: 4, B: b, LDB: 3, C: c, LDC: 3, Bias: []float32{1}})
		}},
		{"packed b is 4×3", func() {
			Run(&Params{M: 3, N: 4, K: 3, Alpha: 1, A: a, LDA: 4, BPacked: PackB(nil, false, 4, 3, b, 3), C: c, LDC: 4})
		}},
	}
	for _, tc := range cases {
		func() {
			defer func() {
				r := recover()
				require.NotNil(t, r, tc.want)
				require.True(t, strings.Contains(r.(string), tc.want), "panic %q does not name %q", r, tc.want)
			}()
			tc.call()
		}()
	}
}

func TestGonumInterface(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	blas32.Use(Implementation{})
	defer blas32.Use(gonum.Implementation{})
	a := blas32.General{Rows: 20, Cols: 30, Stride: 30, Data: randSlice(rng, 600)}
	b := blas32.General{Rows: 20, Cols: 25, Stride: 25, Data: randSlice(rng, 500)}
	c := blas32.General{Rows: 30, Cols: 25, Stride: 25, Data: make([]float32, 750)}
	blas32.Gemm(blas.Trans, blas.NoTrans, 1, a, b, 0, c)
	for i := 0; i < 30; i++ {
		for j := 0; j < 25; j++ {
			var s float64
			for l := 0; l < 20; l++ {
				s += float64(a.Data[l*30+i]) * float64(b.Data[l*25+j])
			}
			require.InDelta(t, s, c.Data[i*25+j], 1e-4)
		}
	}
}

func TestSelectedKernel(t *testing.T) {
	ks := Kernels()
	require.Equal(t, "generic", ks[0].ISA)
	sel := Selected()
	found := false
	for _, k := range ks {
		found = found || k.Name == sel.Name
		got, ok := KernelByISA(k.ISA)
		require.True(t, ok)
		require.Equal(t, k.Name, got.Name)
	}
	require.True(t, found, "selected kernel %s is not among the available ones", sel.Name)
	require.Equal(t, "generic", pickKernel("generic").ISA)
}

// TestBalancedKC: never deeper than KC, never more slices than KC needs,
// and the last slice no shallower than the others by more than a few.
func TestBalancedKC(t *testing.T) {
	for _, kcMax := range []int{1, 5, 8, 128, 384} {
		for k := 1; k <= 2000; k++ {
			kc := balancedKC(k, kcMax)
			slices := (k + kc - 1) / kc
			last := k - (slices-1)*kc
			if kc > kcMax || slices != (k+kcMax-1)/kcMax || last < kc-slices*8 {
				t.Fatalf("balancedKC(%d, %d) = %d: %d slices, last %d", k, kcMax, kc, slices, last)
			}
		}
	}
}

// TestRaggedKernelsAgainstTwin runs each kernel that masks its columns
// (Kernel.ragged) on tiles of every width from 1 to NR against its Go twin,
// for every flag combination, with C, the residual and the bias only as
// wide as the tile and guard columns beside C that must stay untouched.
func TestRaggedKernelsAgainstTwin(t *testing.T) {
	act := Activation{Lo: -0.3, Hi: 0.5, Alpha: -0.7}
	rng := rand.New(rand.NewPCG(13, 14))
	type tested struct {
		Name   string
		MR, NR int
		fn     microKernel
		acts   uint
	}
	var kernels []tested
	for _, k := range Kernels() {
		if !k.ragged {
			continue
		}
		kernels = append(kernels, tested{k.Name, k.MR, k.NR, k.fn, k.acts})
		if k.edge4 != nil {
			kernels = append(kernels, tested{k.Name + "/edge4", 4, k.NR, k.edge4, k.acts})
		}
	}
	for _, kern := range kernels {
		mr, nr := kern.MR, kern.NR
		for cols := 1; cols <= nr; cols++ {
			for _, k := range []int{1, 5, 24} {
				for _, aLayout := range [][2]int{{1, mr}, {k + 3, 1}} {
					aRS, aKS := aLayout[0], aLayout[1]
					for _, flags := range twinFlags {
						if flags&kernelActs&^kern.acts != 0 {
							continue
						}
						flags |= uint(nr-cols) << colSkipShift
						a := randSlice(rng, (mr-1)*aRS+(k-1)*aKS+1)
						b := randSlice(rng, (k-1)*nr+nr)
						bias := randSlice(rng, cols)
						ldr := cols + 1
						res := randSlice(rng, (mr-1)*ldr+cols)
						ldc := cols + 3 // three guard columns right of each row
						c := randSlice(rng, (mr+2)*ldc)
						want := append([]float32(nil), c...)
						sgemmKernelRef(mr, nr, k, a, aRS, aKS, b, nr, want[ldc:], ldc, res, ldr, bias, flags, &act)
						kern.fn(k, a, aRS, aKS, b, nr, c[ldc:], ldc, res, ldr, bias, flags, b, &act)
						tol := float32(1e-6 * float64(k+4))
						for x := range c {
							if d := c[x] - want[x]; d > tol || d < -tol {
								t.Fatalf("%s cols=%d k=%d aRS=%d flags=%09b: c[%d] = %v, twin gives %v",
									kern.Name, cols, k, aRS, flags&(1<<colSkipShift-1), x, c[x], want[x])
							}
						}
					}
				}
			}
		}
	}
}
