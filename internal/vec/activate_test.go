package vec

import (
	"math"
	"math/rand/v2"
	"testing"
)

// testActivations lists one activation of every kind, parameters included.
func testActivations() []Activation {
	return []Activation{
		{Kind: ActNone},
		{Kind: ActReLU},
		{Kind: ActClip, Lo: 0, Hi: 6},
		{Kind: ActClip, Lo: -0.5, Hi: 0.25},
		{Kind: ActLeakyReLU, Alpha: 0.1},
		{Kind: ActLeakyReLU, Alpha: -1.5},
		{Kind: ActHardSwish},
		{Kind: ActSigmoid},
		{Kind: ActSiLU},
	}
}

// RefActivation is the float64 definition of each activation, independent
// of the implementation.
func refActivation(a Activation, x float64) float64 {
	switch a.Kind {
	case ActReLU:
		return math.Max(x, 0)
	case ActClip:
		return math.Min(math.Max(x, float64(a.Lo)), float64(a.Hi))
	case ActLeakyReLU:
		if x < 0 {
			return float64(a.Alpha) * x
		}
		return x
	case ActHardSwish:
		return x * math.Min(math.Max(x+3, 0), 6) / 6
	case ActSigmoid:
		return 1 / (1 + math.Exp(-x))
	case ActSiLU:
		return x / (1 + math.Exp(-x))
	}
	return x
}

// activationInputs are values over the range where every activation
// changes (and far beyond), plus the points where they bend or saturate.
func activationInputs(r *rand.Rand, n int) []float32 {
	special := []float32{0, float32(math.Copysign(0, -1)), 1, -1, 3, -3, 6, -6, 87.33, -87.33, -87.34, 88, -88, -100, 100,
		-103.97, 1e-8, -1e-8, 1e-30, -1e-30, 0.5, -0.5, 20, -20, 17.3, -17.3, 1e4, -1e4, float32(math.Inf(1)), float32(math.Inf(-1))}
	out := append([]float32(nil), special...)
	for len(out) < n {
		switch r.IntN(3) {
		case 0:
			out = append(out, float32(r.NormFloat64()*3))
		case 1:
			out = append(out, float32(r.Float64()*240-120))
		default:
			out = append(out, float32(math.Ldexp(r.Float64(), r.IntN(40)-30)*float64(1-2*r.IntN(2))))
		}
	}
	return out
}

// TestActivateAccuracy compares Activate (whichever implementation runs)
// with the float64 definitions: within 4 float32 ulp of the exact value
// (and 1e-35 absolute, for the flush to zero below -87.3, where sigmoid is
// under 1.2e-38 and SiLU under 1.1e-36), NaN for
// NaN, and the same signed zero or infinity where the definition has one.
func TestActivateAccuracy(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	x := activationInputs(r, 20000)
	got := make([]float32, len(x))
	for _, a := range testActivations() {
		Activate(got, x, a)
		worst := 0.0
		for i, v := range x {
			want := refActivation(a, float64(v))
			g := float64(got[i])
			if math.IsInf(want, 0) || math.IsNaN(want) {
				if g != want && !(math.IsNaN(g) && math.IsNaN(want)) {
					t.Errorf("%v(%v) = %v, want %v", a.Kind, v, g, want)
				}
				continue
			}
			ulp := math.Abs(want) * 0x1p-23
			if err := math.Abs(g - want); err > 4*ulp+1e-35 {
				t.Errorf("%v(%v) = %v, want %v (%.1f ulp)", a.Kind, v, g, want, err/ulp)
			} else if math.Abs(want) > 1e-30 && err/ulp > worst {
				worst = err / ulp
			}
		}
		t.Logf("%v: worst %.2f ulp", a.Kind, worst)
		nan := []float32{float32(math.NaN())}
		if Activate(nan, nan, a); !math.IsNaN(float64(nan[0])) {
			t.Errorf("%v(NaN) = %v, want NaN", a.Kind, nan[0])
		}
	}
}

// TestActivateRowsStaysInside: only the rows×cols block changes, and it
// equals Activate of each row.
func TestActivateRowsStaysInside(t *testing.T) {
	r := rand.New(rand.NewPCG(33, 34))
	for _, a := range testActivations() {
		for _, sh := range [][3]int{{1, 1, 1}, {3, 7, 9}, {5, 16, 16}, {4, 33, 40}, {2, 100, 101}} {
			rows, cols, ld := sh[0], sh[1], sh[2]
			m := activationInputs(r, rows*ld+guard)
			r.Shuffle(len(m), func(i, j int) { m[i], m[j] = m[j], m[i] })
			orig := append([]float32(nil), m...)
			ActivateRows(m, ld, rows, cols, a)
			want := append([]float32(nil), orig...)
			for i := 0; i < rows; i++ {
				Activate(want[i*ld:i*ld+cols], orig[i*ld:i*ld+cols], a)
			}
			for i := range m {
				if math.Float32bits(m[i]) != math.Float32bits(want[i]) && !(m[i] != m[i] && want[i] != want[i]) {
					t.Fatalf("%v %dx%d ld %d: element %d = %v, want %v", a.Kind, rows, cols, ld, i, m[i], want[i])
				}
			}
		}
	}
}

func TestActivationCheck(t *testing.T) {
	for _, a := range testActivations() {
		if err := a.Check(); err != nil {
			t.Errorf("%+v: %v", a, err)
		}
	}
	nan := float32(math.NaN())
	for _, a := range []Activation{{Kind: actKinds}, {Kind: ActClip, Lo: 1, Hi: 0}, {Kind: ActClip, Lo: nan, Hi: 1}, {Kind: ActLeakyReLU, Alpha: nan}} {
		if a.Check() == nil {
			t.Errorf("%+v passes Check", a)
		}
	}
}

// BenchmarkActivate applies each activation to 64 Ki values in place, with
// the Go twin beside whichever implementation Activate picks; GB/s counts
// the bytes read and written.
func BenchmarkActivate(b *testing.B) {
	x := activationInputs(rand.New(rand.NewPCG(37, 38)), 1<<16)
	seen := map[ActKind]bool{}
	for _, a := range testActivations()[1:] {
		if seen[a.Kind] {
			continue
		}
		seen[a.Kind] = true
		for _, impl := range []string{"go", "auto"} {
			b.Run(a.Kind.String()+"/"+impl, func(b *testing.B) {
				buf := append([]float32(nil), x...)
				for b.Loop() {
					copy(buf, x)
					if impl == "go" {
						activateGo(buf, buf, len(buf), 1, len(buf), &a)
					} else {
						Activate(buf, buf, a)
					}
				}
				b.ReportMetric(float64(8*len(buf))*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
			})
		}
	}
}
