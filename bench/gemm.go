package bench

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/simdnet/simdnet/gemm"
)

// Shape is one SGEMM product, M×N×K, not transposed.
type Shape struct {
	Name    string
	M, N, K int
}

// Flops is the work of one product.
func (s Shape) Flops() float64 { return 2 * float64(s.M) * float64(s.N) * float64(s.K) }

// GEMMShapes are the square sizes and the im2col products of the seed
// ResNet50 at 64×64 (M = batch·Ho·Wo, N = filters, K = kh·kw·C), the same
// list ../shared/anchors/sgemm_numpy.py measures for OpenBLAS.
func GEMMShapes() []Shape {
	var s []Shape
	for _, n := range []int{256, 512, 1024, 2048} {
		s = append(s, Shape{fmt.Sprintf("square/%d", n), n, n, n})
	}
	for _, b := range []int{1, 32} {
		for _, r := range []Shape{
			{"conv1", 1024, 64, 147},
			{"s2-3x3", 225, 64, 576},
			{"s3-3x3", 64, 128, 1152},
			{"s4-3x3", 16, 256, 2304},
			{"s5-3x3", 4, 512, 4608},
			{"s5-1x1", 4, 2048, 512},
		} {
			s = append(s, Shape{fmt.Sprintf("resnet/b%d-%s", b, r.Name), r.M * b, r.N, r.K})
		}
	}
	return s
}

// GEMMResult is one measured product.
type GEMMResult struct {
	Shape   string  `json:"shape"`
	M       int     `json:"m"`
	N       int     `json:"n"`
	K       int     `json:"k"`
	Kernel  string  `json:"kernel"`
	Threads int     `json:"threads"`
	Seconds float64 `json:"seconds"`
	GFLOPS  float64 `json:"gflops"`
}

// GEMM times C = A·B for shape s with kernel kern on threads goroutines.
func GEMM(s Shape, kern gemm.Kernel, threads int, minRound time.Duration) GEMMResult {
	rng := rand.New(rand.NewPCG(uint64(s.M), uint64(s.N)))
	a, b := randomSlice(rng, s.M*s.K), randomSlice(rng, s.K*s.N)
	c := make([]float32, s.M*s.N)
	p := gemm.Params{M: s.M, N: s.N, K: s.K, Alpha: 1, A: a, LDA: s.K, B: b, LDB: s.N,
		C: c, LDC: s.N, Kernel: &kern, Threads: threads}
	t := Measure(func() { gemm.Run(&p) }, minRound, 3)
	sec := t.PerCall.Seconds()
	return GEMMResult{Shape: s.Name, M: s.M, N: s.N, K: s.K, Kernel: kern.Name, Threads: threads,
		Seconds: sec, GFLOPS: s.Flops() / sec / 1e9}
}

// SweepResult is one block-size setting tried by Sweep.
type SweepResult struct {
	MC, KC, NC int
	GFLOPS     float64
}

// Sweep times shape s with kern under every combination of the given block
// sizes (each rounded to the kernel's tile) and returns the results, best
// first. Use it to find block sizes for a CPU, then set them with
// SIMDNET_GEMM_MC, SIMDNET_GEMM_KC and SIMDNET_GEMM_NC.
func Sweep(s Shape, kern gemm.Kernel, threads int, mcs, kcs, ncs []int, minRound time.Duration) []SweepResult {
	var out []SweepResult
	for _, mc := range mcs {
		for _, kc := range kcs {
			for _, nc := range ncs {
				k := kern
				k.MC = max(k.MR, mc/k.MR*k.MR)
				k.KC = kc
				k.NC = max(k.NR, nc/k.NR*k.NR)
				r := GEMM(s, k, threads, minRound)
				out = append(out, SweepResult{MC: k.MC, KC: k.KC, NC: k.NC, GFLOPS: r.GFLOPS})
			}
		}
	}
	for i := 1; i < len(out); i++ { // insertion sort, best first
		for j := i; j > 0 && out[j].GFLOPS > out[j-1].GFLOPS; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func randomSlice(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(rng.Float64()*2 - 1)
	}
	return s
}

// QGEMMResult is one measured int8 product.
type QGEMMResult struct {
	Shape   string  `json:"shape"`
	M       int     `json:"m"`
	N       int     `json:"n"`
	K       int     `json:"k"`
	Kernel  string  `json:"kernel"`
	Threads int     `json:"threads"`
	Seconds float64 `json:"seconds"`
	GOPS    float64 `json:"gops"`
	// PeakShare is GOPS over threads × one core's measured peak of the
	// kernel's instructions, when there is such a peak (0 otherwise).
	PeakShare float64 `json:"peak_share,omitempty"`
}

// QGEMM times the int8 product of shape s (u8 activations with a zero
// point, s8 weights packed once, the u8 requantizing epilogue a quantized
// convolution runs) with kern on threads goroutines. peak is one core's
// int8 peak in GOPS, or 0.
func QGEMM(s Shape, kern gemm.QKernel, threads int, minRound time.Duration, peak float64) QGEMMResult {
	rng := rand.New(rand.NewPCG(uint64(s.M), uint64(s.N)))
	a := make([]uint8, s.M*s.K)
	for i := range a {
		a[i] = uint8(rng.IntN(256))
	}
	w := make([]int8, s.K*s.N)
	for i := range w {
		w[i] = int8(rng.IntN(256) - 128)
	}
	scale := make([]float32, s.N)
	for j := range scale {
		scale[j] = 1e-4
	}
	p := gemm.QParams{M: s.M, N: s.N, K: s.K, A: a, LDA: s.K, AZero: 128,
		B: gemm.PackS8For(kern, s.K, s.N, w, s.N), Scale: scale,
		C: make([]uint8, s.M*s.N), LDC: s.N, Lo: 0, Hi: 255, Threads: threads}
	t := Measure(func() { gemm.RunQ(&p) }, minRound, 3)
	sec := t.PerCall.Seconds()
	r := QGEMMResult{Shape: s.Name, M: s.M, N: s.N, K: s.K, Kernel: kern.Name, Threads: threads,
		Seconds: sec, GOPS: s.Flops() / sec / 1e9}
	if peak > 0 {
		r.PeakShare = r.GOPS / (peak * float64(max(threads, 1)))
	}
	return r
}
