package train

import (
	"math"

	"github.com/simdnet/simdnet/internal/parallel"
	"github.com/simdnet/simdnet/internal/vec"
	"github.com/simdnet/simdnet/ops"
)

// needsInput reports whether an element-wise activation's derivative must
// be computed from its input x; the others follow from the output y.
func needsInput(f ops.ActFunc) bool {
	switch f {
	case ops.Swish, ops.HardSwish, ops.GELU, ops.GELUTanh:
		return true
	}
	return false
}

// actDerivative is f'(x) for an element-wise f, given x and y = f(x)
// (only the one needsInput asks for need be right).
func actDerivative(f ops.ActFunc, x, y float32) float32 {
	switch f {
	case ops.ReLU:
		if y > 0 {
			return 1
		}
		return 0
	case ops.ReLU6:
		if y > 0 && y < 6 {
			return 1
		}
		return 0
	case ops.LeakyReLU:
		if y < 0 {
			return ops.LeakyReLUSlope
		}
		return 1
	case ops.Sigmoid:
		return y * (1 - y)
	case ops.HardSigmoid:
		if y > 0 && y < 1 {
			return 0.2
		}
		return 0
	case ops.HardSigmoidTorch:
		if y > 0 && y < 1 {
			return 1.0 / 6
		}
		return 0
	case ops.Tanh:
		return 1 - y*y
	case ops.Swish:
		v := float64(x)
		s := 1 / (1 + math.Exp(-v))
		return float32(s * (1 + v*(1-s)))
	case ops.HardSwish:
		switch {
		case x < -3:
			return 0
		case x > 3:
			return 1
		}
		return (2*x + 3) / 6
	case ops.GELU:
		v := float64(x)
		return float32(0.5*math.Erfc(-v/math.Sqrt2) + v*math.Exp(-v*v/2)/math.Sqrt(2*math.Pi))
	case ops.GELUTanh:
		const c, a = 0.7978845608028654, 0.044715
		v := float64(x)
		t := math.Tanh(c * (v + a*v*v*v))
		return float32(0.5*(1+t) + 0.5*v*(1-t*t)*c*(1+3*a*v*v))
	}
	return 1 // linear
}

// actGrad writes (or adds, when accum) g·f'(x) into dst for an
// element-wise f, with x the input (nil when needsInput is false) and y the
// output.
func actGrad(f ops.ActFunc, dst, g, x, y []float32, accum bool) {
	switch f {
	case ops.Linear:
		maskedCopy(dst, g, nil, accum)
		return
	case ops.ReLU, ops.ReLU6:
		// Vectorised: pass g where y > 0, then take back the values at
		// ReLU6's cap (few, so the branch is predictable).
		parallel.For(len(dst), parallel.MinWork, func(lo, hi int) {
			d, gs, ys := dst[lo:hi], g[lo:hi], y[lo:hi]
			vec.Masked(d, gs, ys, accum)
			if f == ops.ReLU {
				return
			}
			for i, v := range ys[:len(d)] {
				if v >= 6 {
					if accum {
						d[i] -= gs[i]
					} else {
						d[i] = 0
					}
				}
			}
		})
		return
	}
	parallel.For(len(dst), 1<<13, func(lo, hi int) {
		d, gs, ys := dst[lo:hi], g[lo:hi], y[lo:hi]
		var xs []float32
		if x != nil {
			xs = x[lo:hi]
		}
		for i, gv := range gs {
			var xv float32
			if xs != nil {
				xv = xs[i]
			}
			v := gv * actDerivative(f, xv, ys[i])
			if accum {
				v += d[i]
			}
			d[i] = v
		}
	})
}

// zeroAtCap zeroes g where y reached the cap: the rest of a fused ReLU6's
// backward, its producer applying the y > 0 mask. Capped values are few,
// so the branch is predictable.
func zeroAtCap(g, y []float32, cap float32) {
	parallel.For(len(g), parallel.MinWork, func(lo, hi int) {
		gs := g[lo:hi]
		for i, v := range y[lo:hi][:len(gs)] {
			if v >= cap {
				gs[i] = 0
			}
		}
	})
}
