package dwconv

import (
	"math"
	"math/rand/v2"
	"testing"
)

// guard is the width of the bands around every buffer a test hands a
// kernel; sentinel fills them, and output gaps, so that a stray write shows.
const guard = 64

var sentinel = float32(math.Float32frombits(0x7fc0dead)) // a NaN with a payload

func randSlice(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(r.Float64()*2 - 1)
	}
	return s
}

// banded returns a buffer of n values with guard bands of sentinel on both
// sides, and its middle.
func banded(n int) (all, mid []float32) {
	all = make([]float32, n+2*guard)
	for i := range all {
		all[i] = sentinel
	}
	return all, all[guard : guard+n]
}

// isSentinel reports whether v is the guard value, bit for bit.
func isSentinel(v float32) bool { return math.Float32bits(v) == math.Float32bits(sentinel) }

// checkBands fails if a guard band of all changed.
func checkBands(t *testing.T, what string, all []float32, n int) {
	t.Helper()
	for i := 0; i < guard; i++ {
		if !isSentinel(all[i]) || !isSentinel(all[guard+n+i]) {
			t.Fatalf("%s: guard band overwritten (at %d before or after)", what, guard-i)
		}
	}
}

// samePad is TensorFlow's "same" padding of one axis: the output has
// ceil(in/stride) positions, the extra padding cell at the end.
func samePad(in, k, stride, dilation int) (before, after int) {
	eff := (k-1)*dilation + 1
	out := (in + stride - 1) / stride
	total := max((out-1)*stride+eff-in, 0)
	return total / 2, total - total/2
}

// reference is the definition in float64: each output value and the sum of
// the magnitudes of its terms, the scale of its rounding error.
func reference(g Geometry, img, kernel, bias []float32, m int, lo, hi float32) (want, scale []float64) {
	oh, ow, oc := g.OutH(), g.OutW(), g.Channels*m
	want = make([]float64, oh*ow*oc)
	scale = make([]float64, oh*ow*oc)
	for oy := 0; oy < oh; oy++ {
		for ox := 0; ox < ow; ox++ {
			for c := 0; c < g.Channels; c++ {
				for j := 0; j < m; j++ {
					var s, a float64
					if bias != nil {
						s, a = float64(bias[c*m+j]), math.Abs(float64(bias[c*m+j]))
					}
					for ky := 0; ky < g.KH; ky++ {
						iy := oy*g.StrideH + ky*g.DilationH - g.PadTop
						if iy < 0 || iy >= g.InH {
							continue
						}
						for kx := 0; kx < g.KW; kx++ {
							ix := ox*g.StrideW + kx*g.DilationW - g.PadLeft
							if ix < 0 || ix >= g.InW {
								continue
							}
							v := float64(img[(iy*g.InW+ix)*g.Channels+c]) * float64(kernel[((ky*g.KW+kx)*g.Channels+c)*m+j])
							s += v
							a += math.Abs(v)
						}
					}
					i := (oy*ow+ox)*oc + c*m + j
					want[i] = math.Min(math.Max(s, float64(lo)), float64(hi))
					scale[i] = a
				}
			}
		}
	}
	return want, scale
}

// tolerance bounds float32 accumulation over taps terms of total
// magnitude scale, with room for the kernels' two partial sums.
func tolerance(taps int, scale float64) float64 {
	return 2*float64(taps+2)*0x1p-24*scale + 1e-7
}
