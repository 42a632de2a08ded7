package train

import (
	"github.com/simdnet/simdnet/internal/parallel"

	"math"
	"math/rand/v2"
	"testing"
)

// TestBatchStatsLargeMean checks the chunked, merged batch statistics
// against a float64 two-pass computation on data whose mean dwarfs its
// spread, where a sum-of-squares formula would lose the variance.
func TestBatchStatsLargeMean(t *testing.T) {
	const pixels, c = 10007, 3
	rng := rand.New(rand.NewPCG(2, 2))
	x := make([]float32, pixels*c)
	for i := range x {
		x[i] = float32(1000 + 0.01*rng.NormFloat64() + float64(i%c))
	}
	st := newBNState(c)
	red := make([]float32, 2*c*parallel.NumChunks(pixels, bnChunk(c)))
	batchStats(x, c, st, red)
	for ch := range c {
		var mean, ss float64
		for p := range pixels {
			mean += float64(x[p*c+ch])
		}
		mean /= pixels
		for p := range pixels {
			d := float64(x[p*c+ch]) - mean
			ss += d * d
		}
		variance := ss / pixels
		if math.Abs(float64(st.mean[ch])-mean) > 1e-4 {
			t.Errorf("channel %d: mean %v, want %v", ch, st.mean[ch], mean)
		}
		if math.Abs(float64(st.variance[ch])-variance) > 1e-4*variance {
			t.Errorf("channel %d: variance %v, want %v", ch, st.variance[ch], variance)
		}
	}
}
