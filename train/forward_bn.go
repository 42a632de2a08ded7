package train

import (
	"github.com/simdnet/simdnet/internal/parallel"

	"math"

	"github.com/simdnet/simdnet/internal/vec"
	"github.com/simdnet/simdnet/ops"
)

// bnState is what a BatchNormalization keeps from its Training-mode
// forward for the backward pass, and its per-channel scratch.
type bnState struct {
	mean, invStd []float32 // batch mean and 1/sqrt(batch variance + epsilon)
	variance     []float32 // biased batch variance
	scale, shift []float32 // the normalisation folded into a multiply-add
	coef         []float32 // backward: three per-channel coefficients
	acc          []float64 // two per-channel accumulators for merging chunks
}

func newBNState(c int) *bnState {
	return &bnState{
		mean: make([]float32, c), invStd: make([]float32, c), variance: make([]float32, c),
		scale: make([]float32, c), shift: make([]float32, c),
		coef: make([]float32, 3*c), acc: make([]float64, 2*c),
	}
}

// bnChunk is how many pixels of c channels make one reduction chunk: about
// 16 KiB, so that the second pass over a chunk finds it in L1.
func bnChunk(c int) int { return max(1, 4096/c) }

// bnForward normalises x into out (followed by a ReLU when relu is set,
// capped at relucap: 6 for ReLU6, +Inf for a plain ReLU).
// In Training mode it measures the batch statistics, keeps them in st and
// moves the layer's moving averages as Keras does; in Inference mode it
// uses the moving averages. red is scratch for the per-chunk partial sums.
func bnForward(l *ops.BatchNormalization, st *bnState, out, x *ops.Tensor, mode ops.Mode, relu bool, relucap float32, red []float32) error {
	c := l.Channels()
	mean, variance := l.MovingMean.Value, l.MovingVariance.Value
	if mode == ops.Training {
		pixels := x.Len() / c
		batchStats(x.Data, c, st, red)
		mean, variance = st.mean, st.variance
		for i := range st.invStd {
			st.invStd[i] = float32(1 / math.Sqrt(float64(variance[i])+float64(l.Epsilon)))
		}
		l.UpdateMoving(mean, variance, pixels)
		// Keep the layer's own record of the last batch, as its Forward does.
		if len(l.BatchMean) != c {
			l.BatchMean, l.BatchVar = make([]float32, c), make([]float32, c)
		}
		copy(l.BatchMean, mean)
		copy(l.BatchVar, variance)
	}
	for i := range st.scale {
		s := float64(l.Gamma.Value[i]) / math.Sqrt(float64(variance[i])+float64(l.Epsilon))
		st.scale[i] = float32(s)
		st.shift[i] = float32(float64(l.Beta.Value[i]) - float64(mean[i])*s)
	}
	if out != nil { // nil when the Add that follows normalises (plan.normInAdd)
		normalize(out.Data, x.Data, st.scale, st.shift, relu, relucap)
	}
	return nil
}

// normalize writes x·scale + shift per channel into dst, clamped at zero
// when relu is set and at relucap when that is finite (the clip runs on
// each goroutine's range while it is in cache).
func normalize(dst, x, scale, shift []float32, relu bool, relucap float32) {
	c := len(scale)
	capped := relu && !math.IsInf(float64(relucap), 1)
	parallel.For(len(x)/c, parallel.Grain(c), func(lo, hi int) {
		if !capped {
			vec.Affine(dst[lo*c:hi*c], x[lo*c:hi*c], scale, shift, relu)
			return
		}
		step := max(1, bnClipRun/c) * c // whole pixels
		for o := lo * c; o < hi*c; o += step {
			e := min(o+step, hi*c)
			vec.Affine(dst[o:e], x[o:e], scale, shift, true)
			vec.Activate(dst[o:e], dst[o:e], vec.Activation{Kind: vec.ActClip, Lo: 0, Hi: relucap})
		}
	})
}

// bnClipRun is how many values a fused ReLU6 clips at a time: 8 KiB, in L1
// from the affine pass.
const bnClipRun = 2048

// batchStats computes the per-channel mean and biased variance of x (pixels
// of c channels) into st.mean and st.variance. Each chunk is summed twice
// while it is in cache, for its own mean and then its squared deviations
// from it, and the chunks are merged in order with the parallel-variance
// formula of Chan et al. in float64: one pass over memory, without the
// cancellation of sum-of-squares formulas (TestBatchStatsLargeMean).
func batchStats(x []float32, c int, st *bnState, red []float32) {
	pixels := len(x) / c
	chunk := bnChunk(c)
	parallel.Chunks(pixels, chunk, c, func(ch, lo, hi int) {
		m, m2 := red[2*ch*c:(2*ch+1)*c], red[(2*ch+1)*c:(2*ch+2)*c]
		m2 = m2[:len(m)]
		// Sums are taken relative to the chunk's first pixel: float32 sums
		// of values far from zero would lose the small deviations.
		ref := x[lo*c : (lo+1)*c][:len(m)]
		clear(m)
		clear(m2)
		vec.AccDiff(m, x[lo*c:hi*c], ref)
		inv := 1 / float32(hi-lo)
		for i := range m {
			m[i] *= inv
		}
		vec.AccSqDev(m2, x[lo*c:hi*c], ref, m)
		for i := range m {
			m[i] += ref[i]
		}
	})
	mean, m2 := st.acc[:c], st.acc[c:2*c]
	n := 0.0
	for ch := range parallel.NumChunks(pixels, chunk) {
		cm, cm2 := red[2*ch*c:(2*ch+1)*c], red[(2*ch+1)*c:(2*ch+2)*c]
		nb := float64(min(pixels, (ch+1)*chunk) - ch*chunk)
		if ch == 0 {
			for i := range mean {
				mean[i], m2[i] = float64(cm[i]), float64(cm2[i])
			}
			n = nb
			continue
		}
		w := nb / (n + nb) // the new chunk's share of the merged count
		for i := range mean {
			d := float64(cm[i]) - mean[i]
			mean[i] += d * w
			m2[i] += float64(cm2[i]) + d*d*n*w
		}
		n += nb
	}
	for i := range mean {
		st.mean[i] = float32(mean[i])
		st.variance[i] = float32(m2[i] / float64(pixels))
	}
}
