package vec

import (
	"math"
	"math/rand/v2"
	"testing"
)

// guard is how many sentinel values surround every buffer a test passes.
const guard = 16

var sentinel = float32(math.NaN())

// buf returns n random values inside guard bands of sentinels, and the
// whole backing array to check the bands with.
func buf(r *rand.Rand, n int, gen func() float32) (s, all []float32) {
	all = make([]float32, n+2*guard)
	for i := range all {
		all[i] = sentinel
	}
	s = all[guard : guard+n : guard+n]
	for i := range s {
		s[i] = gen()
	}
	return s, all
}

func normal(r *rand.Rand) func() float32 { return func() float32 { return float32(r.NormFloat64()) } }

// relu gives ReLU outputs: zero about half the time.
func relu(r *rand.Rand) func() float32 {
	return func() float32 { return max(float32(r.NormFloat64()), 0) }
}

func positive(r *rand.Rand) func() float32 { return func() float32 { return float32(r.Float64()) } }

// twins holds two copies of the same buffers, one for the assembly and one
// for the twin.
type twins struct{ asm, ref [][]float32 }

func newTwins(r *rand.Rand, lens []int, gens []func() float32) *twins {
	t := &twins{}
	for i, n := range lens {
		_, all := buf(r, n, gens[i])
		t.ref = append(t.ref, all)
		t.asm = append(t.asm, append([]float32(nil), all...))
	}
	return t
}

func inner(all []float32) []float32 { return all[guard : len(all)-guard] }

func (tw *twins) args(asm bool) [][]float32 {
	src := tw.ref
	if asm {
		src = tw.asm
	}
	out := make([][]float32, len(src))
	for i, a := range src {
		out[i] = inner(a)
	}
	return out
}

func (tw *twins) check(t *testing.T, what string) {
	t.Helper()
	for i := range tw.ref {
		a, b := tw.asm[i], tw.ref[i]
		for j := range a {
			if math.Float32bits(a[j]) != math.Float32bits(b[j]) {
				where := "inside"
				if j < guard || j >= len(a)-guard {
					where = "guard band"
				}
				t.Fatalf("%s: buffer %d element %d (%s): asm %v, Go %v", what, i, j-guard, where, a[j], b[j])
			}
		}
	}
}

func shapes() (out [][2]int) {
	for c := 0; c <= 70; c++ {
		for _, rows := range []int{0, 1, 2, 3, 7} {
			out = append(out, [2]int{c, rows})
		}
	}
	return append(out, [2]int{64, 300}, [2]int{256, 97}, [2]int{2048, 9}, [2]int{1001, 13})
}

func lengths() []int {
	var out []int
	for n := 0; n <= 70; n++ {
		out = append(out, n)
	}
	return append(out, 1000, 4096+5, 100003)
}

// TestExported runs the exported functions (whichever implementation the
// build picks) against the twins on odd shapes.
func TestExported(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	n, rl := normal(r), relu(r)
	for _, sh := range [][2]int{{1, 1}, {3, 5}, {64, 9}, {70, 3}} {
		c, rows := sh[0], sh[1]
		tw := newTwins(r, []int{c * rows, c * rows, c * rows, c * rows, c, c, c}, []func() float32{n, n, n, rl, n, n, n})
		a, b := tw.args(true), tw.args(false)
		InputGrad(a[0], a[1], a[2], a[3], a[4], a[5], a[6], true)
		inputGradGo(b[0], b[1], b[2], b[3], b[4], b[5], b[6], c, rows, true)
		tw.check(t, "InputGrad")
		tw = newTwins(r, []int{c * rows, c * rows, c, c, c * rows, c, c}, []func() float32{n, n, n, n, n, n, n})
		a, b = tw.args(true), tw.args(false)
		AffinePairReLU(a[0], a[1], a[2], a[3], a[4], a[5], a[6])
		affinePairReLUGo(b[0], b[1], b[2], b[3], b[4], b[5], b[6], c, rows)
		tw.check(t, "AffinePairReLU")
		tw = newTwins(r, []int{c * rows, c * rows, c, c}, []func() float32{n, n, n, n})
		a, b = tw.args(true), tw.args(false)
		Affine(a[0], a[1], a[2], a[3], true)
		affineGo(b[0], b[1], b[2], b[3], c, rows, true)
		tw.check(t, "Affine")
		tw = newTwins(r, []int{c, c, c * rows, c * rows, c, c * rows}, []func() float32{n, n, n, n, n, rl})
		a, b = tw.args(true), tw.args(false)
		AccGrad(a[0], a[1], a[2], a[3], a[4], a[5])
		accGradGo(b[0], b[1], b[2], b[3], b[4], b[5], c, rows)
		tw.check(t, "AccGrad")
		tw = newTwins(r, []int{c, c * rows, c, c}, []func() float32{n, n, n, n})
		a, b = tw.args(true), tw.args(false)
		AccDiff(a[0], a[1], a[2])
		AccSqDev(a[3], a[1], a[2], a[0])
		accDiffGo(b[0], b[1], b[2], c, rows)
		accSqDevGo(b[3], b[1], b[2], b[0], c, rows)
		tw.check(t, "AccDiff/AccSqDev")
		tw = newTwins(r, []int{c * rows, c * rows, c * rows}, []func() float32{n, n, rl})
		a, b = tw.args(true), tw.args(false)
		Masked(a[0], a[1], a[2], true)
		maskedGo(b[0], b[1], b[2], true)
		tw.check(t, "Masked")
		k := &AdamConsts{B1: 0.9, C1: 0.1, B2: 0.999, C2: 0.001, LR: 1e-3, Eps: 1e-7, WD: 1e-4}
		tw = newTwins(r, []int{c, c, c, c}, []func() float32{n, n, n, relu(r)})
		a, b = tw.args(true), tw.args(false)
		Adam(a[0], a[1], a[2], a[3], k)
		adamGo(b[0], b[1], b[2], b[3], k)
		tw.check(t, "Adam")
	}
}

// TestWindowExported checks WindowMax and WindowSum (whichever
// implementation the build picks) against float64 loops.
func TestWindowExported(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, sh := range [][4]int{{1, 1, 1, 1}, {3, 2, 2, 7}, {64, 3, 3, 200}, {70, 1, 4, 280}, {2048, 4, 1, 8192}} {
		c, cols, rows, stride := sh[0], sh[1], sh[2], sh[3]
		src := make([]float32, (rows-1)*stride+cols*c)
		for i := range src {
			src[i] = float32(r.NormFloat64())
		}
		gotMax, gotSum := make([]float32, c), make([]float32, c)
		WindowMax(gotMax, src, c, cols, rows, stride)
		WindowSum(gotSum, src, c, cols, rows, stride)
		for i := 0; i < c; i++ {
			m, s := math.Inf(-1), 0.0
			for y := 0; y < rows; y++ {
				for x := 0; x < cols; x++ {
					v := float64(src[y*stride+x*c+i])
					m, s = math.Max(m, v), s+v
				}
			}
			if float64(gotMax[i]) != m {
				t.Fatalf("WindowMax %v channel %d: %v, want %v", sh, i, gotMax[i], m)
			}
			if d := math.Abs(float64(gotSum[i]) - s); d > 1e-5*float64(rows*cols)*(1+math.Abs(s)) {
				t.Fatalf("WindowSum %v channel %d: %v, want %v", sh, i, gotSum[i], s)
			}
		}
	}
}
