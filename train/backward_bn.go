package train

import (
	"github.com/simdnet/simdnet/internal/parallel"

	"github.com/simdnet/simdnet/internal/vec"
	"github.com/simdnet/simdnet/ops"
)

// bnBackward is BatchNormalization's backward pass in Training mode, where
// the output depends on x through the batch mean and variance too. With
// xhat = (x - mean)·s, s = 1/sqrt(var + eps) and P values per channel,
//
//	dbeta  = Σ dy
//	dgamma = Σ dy·xhat
//	dx     = gamma·s·(dy - dbeta/P - xhat·dgamma/P)
//
// which is A·dy + B·x + C per channel. The first pass reduces the two sums
// (in chunks, see forChunks), the second writes dx. When mask is set, dy is
// g where mask > 0 and zero elsewhere: the gradient of a ReLU that follows,
// applied as it is read. dx (nil when x needs no gradient) is overwritten,
// or added to when accum is set; dGamma and dBeta may be nil.
func bnBackward(l *ops.BatchNormalization, st *bnState, x, g, mask, dx []float32, accum bool, dGamma, dBeta []float32, red []float32) {
	c := l.Channels()
	pixels := len(x) / c
	chunk := bnChunk(c)
	parallel.Chunks(pixels, chunk, c, func(ch, lo, hi int) {
		sdy, sdyx := red[2*ch*c:(2*ch+1)*c], red[(2*ch+1)*c:(2*ch+2)*c]
		clear(sdy)
		clear(sdyx)
		var m []float32
		if mask != nil {
			m = mask[lo*c : hi*c]
		}
		vec.AccGrad(sdy, sdyx, g[lo*c:hi*c], x[lo*c:hi*c], st.mean[:c], m)
	})
	sumDy, sumDyx := st.acc[:c], st.acc[c:2*c]
	clear(st.acc)
	for ch := range parallel.NumChunks(pixels, chunk) {
		for i := range sumDy {
			sumDy[i] += float64(red[2*ch*c+i])
			sumDyx[i] += float64(red[(2*ch+1)*c+i])
		}
	}
	a, b, k := st.coef[:c], st.coef[c:2*c], st.coef[2*c:3*c]
	n := float64(pixels)
	for i := range sumDy {
		s := float64(st.invStd[i])
		dbeta, dgamma := sumDy[i], sumDyx[i]*s
		if dGamma != nil {
			dGamma[i] = float32(dgamma)
		}
		if dBeta != nil {
			dBeta[i] = float32(dbeta)
		}
		ai := float64(l.Gamma.Value[i]) * s
		bi := -ai * s * dgamma / n
		a[i], b[i] = float32(ai), float32(bi)
		k[i] = float32(-ai*dbeta/n - bi*float64(st.mean[i]))
	}
	if dx == nil {
		return
	}
	parallel.For(pixels, parallel.Grain(c), func(lo, hi int) {
		var m []float32
		if mask != nil {
			m = mask[lo*c : hi*c]
		}
		vec.InputGrad(dx[lo*c:hi*c], g[lo*c:hi*c], x[lo*c:hi*c], m, a, b, k, accum)
	})
}
