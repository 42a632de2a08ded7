package train

import "github.com/simdnet/simdnet/ops"

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
	forChunks(pixels, chunk, c, func(ch, lo, hi int) {
		sdy, sdyx := red[2*ch*c:(2*ch+1)*c], red[(2*ch+1)*c:(2*ch+2)*c]
		clear(sdy)
		clear(sdyx)
		mean := st.mean[:c]
		for p := lo * c; p < hi*c; p += c {
			gs, xs := g[p:p+c], x[p:p+c]
			// Equal lengths, stated once, let the compiler drop the bounds
			// checks of the loops.
			xs, s1, s2, mu := xs[:len(gs)], sdy[:len(gs)], sdyx[:len(gs)], mean[:len(gs)]
			if mask != nil {
				ms := mask[p : p+c][:len(gs)]
				for i, v := range gs {
					v = keep(v, ms[i])
					s1[i] += v
					s2[i] += v * (xs[i] - mu[i])
				}
				continue
			}
			for i, v := range gs {
				s1[i] += v
				s2[i] += v * (xs[i] - mu[i])
			}
		}
	})
	sumDy, sumDyx := st.acc[:c], st.acc[c:2*c]
	clear(st.acc)
	for ch := range numChunks(pixels, chunk) {
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
	parallelFor(pixels, grainFor(c), func(lo, hi int) {
		for p := lo * c; p < hi*c; p += c {
			bnInputGrad(dx[p:p+c], g[p:p+c], x[p:p+c], mask, p, a, b, k, accum)
		}
	})
}

// bnInputGrad writes (or adds) A·dy + B·x + C for one pixel.
func bnInputGrad(dx, g, x, mask []float32, off int, a, b, k []float32, accum bool) {
	n := len(g)
	dx, x, a, b, k = dx[:n], x[:n], a[:n], b[:n], k[:n]
	if mask != nil {
		m := mask[off : off+n][:n]
		if accum {
			for i, v := range x {
				dx[i] += a[i]*keep(g[i], m[i]) + b[i]*v + k[i]
			}
			return
		}
		for i, v := range x {
			dx[i] = a[i]*keep(g[i], m[i]) + b[i]*v + k[i]
		}
		return
	}
	if accum {
		for i, v := range x {
			dx[i] += a[i]*g[i] + b[i]*v + k[i]
		}
		return
	}
	for i, v := range x {
		dx[i] = a[i]*g[i] + b[i]*v + k[i]
	}
}
