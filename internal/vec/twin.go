package vec

import "math"

// The pure-Go twins of the assembly routines, always compiled: the
// fallback where there is no assembly, and the reference of the tests.

func accDiffGo(m, x, ref []float32, c, rows int) {
	m, ref = m[:c], ref[:c]
	for p := 0; p < rows*c; p += c {
		for i, v := range x[p : p+c] {
			m[i] += v - ref[i]
		}
	}
}

func accSqDevGo(m2, x, ref, mu []float32, c, rows int) {
	m2, ref, mu = m2[:c], ref[:c], mu[:c]
	for p := 0; p < rows*c; p += c {
		for i, v := range x[p : p+c] {
			d := v - ref[i] - mu[i]
			m2[i] += d * d
		}
	}
}

func accGradGo(s1, s2, g, x, mu, mask []float32, c, rows int) {
	s1, s2, mu = s1[:c], s2[:c], mu[:c]
	for p := 0; p < rows*c; p += c {
		gs, xs := g[p:p+c], x[p:p+c]
		if mask != nil {
			ms := mask[p : p+c]
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
}

func affineGo(dst, x, scale, shift []float32, c, rows int, relu bool) {
	scale, shift = scale[:c], shift[:c]
	for p := 0; p < rows*c; p += c {
		s, d := x[p:p+c], dst[p:p+c]
		if relu {
			for i, v := range s {
				d[i] = max(v*scale[i]+shift[i], 0)
			}
		} else {
			for i, v := range s {
				d[i] = v*scale[i] + shift[i]
			}
		}
	}
}

func inputGradGo(dx, g, x, mask, a, b, k []float32, c, rows int, accum bool) {
	a, b, k = a[:c], b[:c], k[:c]
	for p := 0; p < rows*c; p += c {
		d, gs, xs := dx[p:p+c], g[p:p+c], x[p:p+c]
		for i, v := range xs {
			gv := gs[i]
			if mask != nil {
				gv = keep(gv, mask[p+i])
			}
			e := a[i]*gv + b[i]*v + k[i]
			if accum {
				e = d[i] + e
			}
			d[i] = e
		}
	}
}

func maskedGo(dst, g, mask []float32, accum bool) {
	g = g[:len(dst)]
	switch {
	case mask == nil && accum:
		for i, v := range g {
			dst[i] += v
		}
	case mask == nil:
		copy(dst, g)
	case accum:
		mask = mask[:len(dst)]
		for i, v := range g {
			dst[i] += keep(v, mask[i])
		}
	default:
		mask = mask[:len(dst)]
		for i, v := range g {
			dst[i] = keep(v, mask[i])
		}
	}
}

func adamGo(w, g, m, v []float32, k *AdamConsts) {
	g, m, v = g[:len(w)], m[:len(w)], v[:len(w)]
	b1, c1, b2, c2, lr, eps, wd := k.B1, k.C1, k.B2, k.C2, k.LR, k.Eps, k.WD
	for j, x := range g {
		if wd != 0 {
			x += wd * w[j]
		}
		mj := b1*m[j] + c1*x
		vj := b2*v[j] + c2*x*x
		m[j], v[j] = mj, vj
		w[j] -= lr * mj / (float32(math.Sqrt(float64(vj))) + eps)
	}
}

// keep returns v where the ReLU output y is positive and zero where it is
// not, without a branch: y ≥ 0 and never -0, so y > 0 exactly when its bits
// are not zero, and for those bits (b + 0x7fffffff) >> 31 is 1.
func keep(v, y float32) float32 {
	m := -((math.Float32bits(y) + 0x7fffffff) >> 31)
	return math.Float32frombits(math.Float32bits(v) & m)
}

func affinePairReLUGo(dst, xa, sa, ha, xb, sb, hb []float32, c, rows int) {
	sa, ha, sb, hb = sa[:c], ha[:c], sb[:c], hb[:c]
	for p := 0; p < rows*c; p += c {
		d, a, b := dst[p:p+c], xa[p:p+c], xb[p:p+c]
		for i := range d {
			d[i] = max(a[i]*sa[i]+ha[i]+(b[i]*sb[i]+hb[i]), 0)
		}
	}
}

func windowMaxGo(dst, src []float32, c, cols, rows, rowStride int) {
	dst = dst[:c]
	copy(dst, src[:c])
	for r := 0; r < rows; r++ {
		for j := 0; j < cols; j++ {
			cell := src[r*rowStride+j*c : r*rowStride+j*c+c]
			for i, v := range cell {
				// As MAXPS: the cell's value unless the running maximum is
				// strictly greater (so a NaN in the cell is kept).
				if !(dst[i] > v) {
					dst[i] = v
				}
			}
		}
	}
}

func windowSumGo(dst, src []float32, c, cols, rows, rowStride int) {
	dst = dst[:c]
	clear(dst)
	for r := 0; r < rows; r++ {
		for j := 0; j < cols; j++ {
			for i, v := range src[r*rowStride+j*c : r*rowStride+j*c+c] {
				dst[i] += v
			}
		}
	}
}
