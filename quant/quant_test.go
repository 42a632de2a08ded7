package quant

import (
	"math"
	"math/rand/v2"
	"testing"
)

func observe(t *testing.T, xs []float32) *Observer {
	t.Helper()
	var o Observer
	if err := o.ObserveRange(xs); err != nil {
		t.Fatal(err)
	}
	o.ObserveHist(xs)
	return &o
}

func TestMinMaxKnownRange(t *testing.T) {
	// Uniform on [-1, 3], endpoints included: scale 4/255, zero 1/(4/255) = 63.75 → 64.
	xs := []float32{-1, 3}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 1000 {
		xs = append(xs, float32(-1+4*rng.Float64()))
	}
	p, err := observe(t, xs).Params(MinMax, 0)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(float64(p.Scale)-4.0/255) > 1e-7 || p.Zero != 64 {
		t.Fatalf("minmax of U[-1,3]: %+v, want scale %v zero 64", p, 4.0/255)
	}
	// Non-negative data (after ReLU): zero point 0, 0 exact.
	p, _ = observe(t, []float32{0, 0.5, 2}).Params(MinMax, 0)
	if p.Zero != 0 || p.Quantize(0) != 0 || p.Quantize(2) != 255 {
		t.Fatalf("minmax of [0,2]: %+v", p)
	}
	// All negative: the range is widened to hold 0, which maps to 255.
	p, _ = observe(t, []float32{-4, -1}).Params(MinMax, 0)
	if p.Zero != 255 || p.Quantize(0) != 255 || p.Quantize(-4) != 0 {
		t.Fatalf("minmax of [-4,-1]: %+v", p)
	}
}

func TestPercentileClipsOutliers(t *testing.T) {
	// 100000 values uniform on [0, 1) and 5 outliers at 1000: the 99.99th
	// percentile leaves out at most 10 values, so the outliers go and the
	// range ends near 1.
	rng := rand.New(rand.NewPCG(3, 4))
	var xs []float32
	for range 100000 {
		xs = append(xs, float32(rng.Float64()))
	}
	xs = append(xs, 1000, 1000, 1000, 1000, 1000)
	p, err := observe(t, xs).Params(Percentile, 99.99)
	if err != nil {
		t.Fatal(err)
	}
	if hi := p.Hi(); hi < 0.99 || hi > 1.0+1000.0/Bins+1e-3 {
		t.Fatalf("99.99th percentile range ends at %v, want about 1", hi)
	}
	// 99% of uniform [0,1): about 0.99 within a bin of 1/2048.
	p, _ = observe(t, xs[:100000]).Params(Percentile, 99)
	if hi := float64(p.Hi()); math.Abs(hi-0.99) > 2.0/Bins+1e-3 {
		t.Fatalf("99th percentile of U[0,1): %v, want 0.99", hi)
	}
	// Symmetric: both ends clipped.
	var sym []float32
	for range 100000 {
		sym = append(sym, float32(2*rng.Float64()-1))
	}
	p, _ = observe(t, sym).Params(Percentile, 99)
	if lo, hi := float64(p.Lo()), float64(p.Hi()); math.Abs(lo+0.98) > 0.01 || math.Abs(hi-0.98) > 0.01 {
		t.Fatalf("99th percentile of U[-1,1): [%v, %v], want about ±0.98", lo, hi)
	}
	if _, err := observe(t, sym).Params(Percentile, 20); err == nil {
		t.Fatal("percentile 20 accepted")
	}
}

func TestEntropyThreshold(t *testing.T) {
	// A uniform distribution loses nothing to 255 levels: the threshold is
	// its maximum.
	rng := rand.New(rand.NewPCG(5, 6))
	var u []float32
	for range 200000 {
		u = append(u, float32(rng.Float64()))
	}
	p, err := observe(t, u).Params(Entropy, 0)
	if err != nil {
		t.Fatal(err)
	}
	if hi := p.Hi(); hi < 0.97 {
		t.Fatalf("entropy range of U[0,1) ends at %v, want about 1", hi)
	}
	// |N(0,1)| with a few outliers at 50: the threshold drops far below the
	// maximum, into the few-sigma range TensorRT's method gives.
	var g []float32
	for range 200000 {
		g = append(g, float32(math.Abs(rng.NormFloat64())))
	}
	g = append(g, 50, 50, 50)
	p, _ = observe(t, g).Params(Entropy, 0)
	if hi := p.Hi(); hi < 2.5 || hi > 8 {
		t.Fatalf("entropy range of |N(0,1)| + outliers ends at %v, want 2.5σ..8σ", hi)
	}
	// KLThreshold on a histogram whose mass is all in its first bins keeps them.
	h := make([]float64, Bins)
	for i := range 100 {
		h[i] = 1
	}
	if got := KLThreshold(h, 128); got != 100 {
		t.Fatalf("KLThreshold of 100 full bins = %d, want 100", got)
	}
}

func TestObserverErrors(t *testing.T) {
	var o Observer
	if _, err := o.Params(MinMax, 0); err != ErrNoData {
		t.Fatalf("empty observer: %v", err)
	}
	if err := o.ObserveRange([]float32{1, float32(math.NaN())}); err == nil {
		t.Fatal("NaN accepted")
	}
	o = Observer{}
	_ = o.ObserveRange([]float32{1})
	if _, err := o.Params(Entropy, 0); err == nil {
		t.Fatal("entropy without the histogram pass accepted")
	}
	if _, err := ParseMethod("kl"); err == nil {
		t.Fatal("method kl accepted")
	}
	if err := (Params{Scale: 0}).Validate(); err == nil {
		t.Fatal("scale 0 valid")
	}
}

func TestWeightsPerChannel(t *testing.T) {
	// 2×3, columns scaled very differently: each gets its own scale, the
	// largest magnitude maps to ±127, and every value is within half a step.
	w := []float32{1, -0.01, 0, -2, 0.005, 0}
	q, s, err := Weights(w, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{2.0 / 127, 0.01 / 127, 1}
	for j := range s {
		if math.Abs(float64(s[j]-want[j])) > 1e-9 {
			t.Fatalf("scale[%d] = %v, want %v", j, s[j], want[j])
		}
	}
	if q[3] != -127 || q[1] != -127 || q[2] != 0 || q[5] != 0 {
		t.Fatalf("q = %v", q)
	}
	for i, v := range w {
		if d := math.Abs(float64(float32(q[i])*s[i%3] - v)); d > float64(s[i%3])/2+1e-9 {
			t.Fatalf("w[%d] = %v dequantizes %v off", i, v, d)
		}
	}
	if _, _, err := Weights(w, 3, 3); err == nil {
		t.Fatal("wrong shape accepted")
	}
	if _, _, err := Weights([]float32{float32(math.Inf(1))}, 1, 1); err == nil {
		t.Fatal("Inf accepted")
	}
}

func TestParamsRoundTrip(t *testing.T) {
	p := FromRange(-1, 3)
	for q := 0; q < 256; q++ {
		if got := p.Quantize(p.Dequantize(uint8(q))); got != uint8(q) {
			t.Fatalf("code %d round-trips to %d", q, got)
		}
	}
	if p.Quantize(100) != 255 || p.Quantize(-100) != 0 {
		t.Fatal("no saturation")
	}
}
