package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/simdnet/simdnet/internal/vec"
)

// epilogueActs is one activation of every kind the epilogue knows.
var epilogueActs = []Activation{
	{Kind: ActReLU},
	{Kind: ActClip, Lo: 0, Hi: 6},
	{Kind: ActClip, Lo: -0.3, Hi: 0.4},
	{Kind: ActLeakyReLU, Alpha: 0.2},
	{Kind: ActHardSwish},
	{Kind: ActSigmoid},
	{Kind: ActSiLU},
}

// refAct is each activation's float64 definition, written independently of
// the implementation, and the largest slope it has (how much an error in
// its input can grow).
func refAct(a Activation, x float64) (y, slope float64) {
	switch a.Kind {
	case ActReLU:
		return math.Max(x, 0), 1
	case ActClip:
		return math.Min(math.Max(x, float64(a.Lo)), float64(a.Hi)), 1
	case ActLeakyReLU:
		if x < 0 {
			return float64(a.Alpha) * x, 1
		}
		return x, 1
	case ActHardSwish:
		return x * math.Min(math.Max(x+3, 0), 6) / 6, 1.5
	case ActSigmoid:
		return 1 / (1 + math.Exp(-x)), 0.25
	case ActSiLU:
		return x / (1 + math.Exp(-x)), 1.1
	}
	return x, 1
}

// TestEpilogueActivations runs every activation through every kernel (each
// with its own and with tiny block sizes, so that every tile and block edge
// is hit), with bias, residual and beta, on plain, prepacked and
// caller-packed operands, one and three threads, against the float64
// product followed by the float64 activation, with a guard band between
// the rows of C and after them. The tolerance is the product's, scaled
// with K, times the activation's largest slope, plus a few float32 ulp of
// the activation itself. The operands are scaled so that the sums spread
// over the range where each activation bends (about ±4).
func TestEpilogueActivations(t *testing.T) {
	rng := rand.New(rand.NewPCG(71, 72))
	const guard = 1234.5
	sizes := [][3]int{{1, 1, 1}, {13, 37, 29}, {5, 100, 7}, {40, 33, 64}, {25, 65, 300}}
	kernels := testKernels()
	if testing.Short() {
		sizes = sizes[:4] // every tile edge still, at less depth
	}
	if raceEnabled {
		kernels = Kernels() // the race detector slows the loops tenfold
	}
	for _, kern := range kernels {
		for _, sz := range sizes {
			for _, act := range epilogueActs {
				for mode := range 4 {
					m, n, k := sz[0], sz[1], sz[2]
					beta := float32(mode%2) * 0.5
					p := newCase(rng, m, n, k, false, mode == 3, 0, 1, beta)
					scale := float32(4 / math.Sqrt(float64(k)/3))
					for i := range p.A {
						p.A[i] *= scale * 1.7
					}
					p.Act = act
					if mode >= 1 {
						p.Bias = randSlice(rng, n)
					}
					if mode == 2 {
						p.LDR = n + 3
						p.Residual = randSlice(rng, m*p.LDR)
					}
					for i := 0; i < m; i++ {
						fill(p.C[i*p.LDC+n:(i+1)*p.LDC], guard)
					}
					fill(p.C[m*p.LDC:], guard)
					pre := refGemm(p, matrixElem(p.A, p.LDA, false)) // Act is not ReLU's flag: pre-activation
					p.Kernel = &kern
					switch mode {
					case 1:
						p.BPacked = PackB(&kern, p.TransB, k, n, p.B, p.LDB)
					case 2:
						p.APack = &funcRowPacker{funcPacker{elem: matrixElem(p.A, p.LDA, false)}}
					case 3:
						p.Threads = 3
					}
					Run(p)
					what := fmt.Sprintf("%s/%v/%dx%dx%d/mode%d", kern.Name, act.Kind, m, n, k, mode)
					checkActivated(t, what, p, pre, act, guard)
				}
			}
		}
	}
}

func checkActivated(t *testing.T, what string, p *Params, pre []float64, act Activation, guard float32) {
	t.Helper()
	tol := 1e-6 * float64(p.K+4)
	for i := 0; i < p.M; i++ {
		for j := 0; j < p.LDC; j++ {
			got := p.C[i*p.LDC+j]
			if j >= p.N {
				if got != guard {
					t.Fatalf("%s: guard C[%d][%d] overwritten with %v", what, i, j, got)
				}
				continue
			}
			x := pre[i*p.N+j]
			want, slope := refAct(act, x)
			if err := math.Abs(float64(got) - want); !(err <= slope*tol*math.Max(1, math.Abs(x))+4*0x1p-23*math.Abs(want)+1e-30) {
				t.Fatalf("%s: C[%d][%d] = %v, want %v = %v(%v) (tol %.2g)", what, i, j, got, want, act.Kind, x, tol)
			}
		}
	}
	for x := p.M * p.LDC; x < len(p.C); x++ {
		if p.C[x] != guard {
			t.Fatalf("%s: guard after C at %d overwritten with %v", what, x, p.C[x])
		}
	}
}

// TestEpilogueNoProduct: with k = 0 (or alpha = 0) only beta·C, the bias
// and the activation remain.
func TestEpilogueNoProduct(t *testing.T) {
	rng := rand.New(rand.NewPCG(73, 74))
	for _, act := range epilogueActs {
		p := newCase(rng, 7, 9, 0, false, false, 0, 1, 2)
		p.LDA = 1
		p.Bias = randSlice(rng, 9)
		p.Act = act
		fill(p.C[p.M*p.LDC:], 99)
		for i := 0; i < p.M; i++ {
			p.C[i*p.LDC+p.N] = 99
		}
		pre := refGemm(p, matrixElem(p.A, p.LDA, false))
		Run(p)
		checkActivated(t, "k=0/"+act.Kind.String(), p, pre, act, 99)
	}
}

func TestActivationPanics(t *testing.T) {
	a, b, c := make([]float32, 12), make([]float32, 12), make([]float32, 12)
	run := func(p Params) func() {
		return func() {
			p.M, p.N, p.K, p.Alpha, p.A, p.LDA, p.B, p.LDB, p.C, p.LDC = 3, 3, 4, 1, a, 4, b, 3, c, 3
			Run(&p)
		}
	}
	for _, tc := range []struct {
		want string
		p    Params
	}{
		{"clip bounds", Params{Act: Activation{Kind: ActClip, Lo: 6, Hi: 0}}},
		{"unknown activation", Params{Act: Activation{Kind: 200}}},
		{"ReLU and act = sigmoid", Params{ReLU: true, Act: Activation{Kind: ActSigmoid}}},
	} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), tc.want) {
					t.Errorf("recovered %v, want a panic naming %q", r, tc.want)
				}
			}()
			run(tc.p)()
		}()
	}
}

// TestKernelActivationsMatchVec: where a kernel applies an activation in
// registers, it computes what vec.Activate computes, to the bit (the
// driver relies on it: the edge tiles and the other kernels apply the same
// activation through vec). With a one-deep product of A = 1, every sum is
// exactly the B value, which then runs through the epilogue alone.
func TestKernelActivationsMatchVec(t *testing.T) {
	rng := rand.New(rand.NewPCG(75, 76))
	for _, kern := range Kernels() {
		fns := map[string]microKernel{kern.Name: kern.fn}
		if kern.edge4 != nil {
			fns[kern.Name+"/edge4"] = kern.edge4
		}
		for name, fn := range fns {
			mr, nr := kern.MR, kern.NR
			if strings.HasSuffix(name, "edge4") {
				mr = 4
			}
			for _, act := range epilogueActs {
				flag := actFlag(act.Kind)
				if flag&kern.acts == 0 {
					continue
				}
				a := fill(make([]float32, mr), 1)
				c := make([]float32, mr*nr)
				for trial := range 200 {
					b := make([]float32, nr)
					for j := range b {
						b[j] = float32(rng.NormFloat64() * 4)
						if trial%10 == 0 {
							b[j] = float32(rng.NormFloat64() * 60) // the exp's far range
						}
					}
					b[0], b[1], b[2] = -1e-30, 0, -88 // a sum is never -0: 0 + (-0) is 0
					fn(1, a, 1, mr, b, nr, c, nr, nil, 0, nil, flag, b, &act)
					want := make([]float32, nr)
					vec.Activate(want, b, act)
					for i := 0; i < mr; i++ {
						for j := 0; j < nr; j++ {
							if math.Float32bits(c[i*nr+j]) != math.Float32bits(want[j]) {
								t.Fatalf("%s, %v(%v): kernel %v, vec %v", name, act.Kind, b[j], c[i*nr+j], want[j])
							}
						}
					}
				}
			}
		}
	}
}
