package train

import (
	"github.com/simdnet/simdnet/internal/parallel"
	"github.com/simdnet/simdnet/internal/vec"
	"github.com/simdnet/simdnet/ops"
)

// The backward passes of the layers that move or scale values without
// weights: Reshape, Permute, Slice, Dropout, SpatialDropout2D, Rescaling,
// Normalization, and the ReLU layers.

func init() {
	register[*ops.Reshape](layerTraining{backward: func(c *backwardCtx) {
		if c.dx[0] != nil {
			maskedCopy(c.dx[0], c.dy, nil, c.accum[0])
		}
	}})
	register[*ops.Permute](layerTraining{backward: permuteBackward})
	register[*ops.Slice](layerTraining{backward: sliceBackward})
	register[*ops.Dropout](layerTraining{backward: func(c *backwardCtx) {
		dropoutBackward(c.nd.Layer.(*ops.Dropout), c)
	}})
	register[*ops.SpatialDropout2D](layerTraining{backward: func(c *backwardCtx) {
		dropoutBackward(&c.nd.Layer.(*ops.SpatialDropout2D).Dropout, c)
	}})
	register[*ops.Rescaling](layerTraining{backward: func(c *backwardCtx) {
		l := c.nd.Layer.(*ops.Rescaling)
		scaleBackward(c, []float32{l.Scale})
	}})
	register[*ops.Normalization](layerTraining{backward: func(c *backwardCtx) {
		scale, _ := c.nd.Layer.(*ops.Normalization).Affine()
		scaleBackward(c, scale)
	}})
	register[*ops.ReLULayer](layerTraining{backward: func(c *backwardCtx) {
		reluLayerBackward(c.nd.Layer.(*ops.ReLULayer), c)
	}})
	register[*ops.LeakyReLULayer](layerTraining{backward: func(c *backwardCtx) {
		reluLayerBackward(c.nd.Layer.(*ops.LeakyReLULayer).AsReLU(), c)
	}})
}

// permuteBackward applies the inverse permutation to the gradient.
func permuteBackward(c *backwardCtx) {
	dx := c.dx[0]
	if dx == nil {
		return
	}
	l := c.nd.Layer.(*ops.Permute)
	inv := make([]int, len(l.Dims))
	for i, d := range l.Dims {
		inv[d-1] = i + 1
	}
	back := &ops.Permute{Name: l.Name, Dims: inv}
	dst := dx
	if c.accum[0] {
		dst = c.tmp[:len(dx)]
	}
	dyT := &ops.Tensor{Shape: c.out.Shape, Data: c.dy}
	dxT := &ops.Tensor{Shape: c.in[0].Shape, Data: dst}
	if err := back.Forward(dxT, []*ops.Tensor{dyT}, ops.Inference); err != nil {
		panic("train: " + err.Error()) // the shapes come from the plan: a bug
	}
	if c.accum[0] {
		maskedCopy(dx, dst, nil, true)
	}
}

// sliceBackward puts the gradient back where the slice took its values
// from; the rest of the input gets none.
func sliceBackward(c *backwardCtx) {
	dx := c.dx[0]
	if dx == nil {
		return
	}
	l := c.nd.Layer.(*ops.Slice)
	outer, width, offset, stride := l.SliceRuns(c.in[0].Shape[1:])
	rows := c.in[0].Shape[0] * outer
	accum := c.accum[0]
	parallel.For(rows, parallel.Grain(stride), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			src := c.dy[r*width : (r+1)*width]
			dst := dx[r*stride : (r+1)*stride]
			if accum {
				for i, v := range src {
					dst[offset+i] += v
				}
				continue
			}
			clear(dst[:offset])
			copy(dst[offset:offset+width], src)
			clear(dst[offset+width:])
		}
	})
}

// dropoutBackward multiplies the gradient by the mask the forward drew.
func dropoutBackward(l *ops.Dropout, c *backwardCtx) {
	dx := c.dx[0]
	if dx == nil {
		return
	}
	if l.Rate == 0 || l.Mask == nil {
		maskedCopy(dx, c.dy, nil, c.accum[0])
		return
	}
	dst := dx
	if c.accum[0] {
		dst = c.tmp[:len(dx)]
	}
	l.ApplyMask(&ops.Tensor{Shape: c.in[0].Shape, Data: dst}, &ops.Tensor{Shape: c.in[0].Shape, Data: c.dy}, l.Mask)
	if c.accum[0] {
		maskedCopy(dx, dst, nil, true)
	}
}

// scaleBackward multiplies the gradient by a per-channel (or, with one
// value, a global) factor.
func scaleBackward(c *backwardCtx, scale []float32) {
	dx := c.dx[0]
	if dx == nil {
		return
	}
	n := len(scale)
	accum := c.accum[0]
	parallel.For(len(dx), parallel.MinWork, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			v := c.dy[i] * scale[i%n]
			if accum {
				v += dx[i]
			}
			dx[i] = v
		}
	})
}

// reluLayerBackward passes the gradient where the input was between the
// threshold and the cap, scales it by the slope below the threshold, and
// stops it at the cap.
func reluLayerBackward(l *ops.ReLULayer, c *backwardCtx) {
	dx := c.dx[0]
	if dx == nil {
		return
	}
	x, y, dy, hi, th, slope := c.in[0].Data, c.out.Data, c.dy, l.Upper(), l.Threshold, l.NegativeSlope
	accum := c.accum[0]
	parallel.For(len(dx), parallel.MinWork, func(lo, end int) {
		d, g, xs := dx[lo:end], dy[lo:end], x[lo:end]
		g = g[:len(d)]
		xs = xs[:len(d)]
		if slope == 0 && th == 0 { // ReLU and ReLU6, the common case
			// The output is positive where the gradient passes, save at
			// the cap: a vectorised masked copy, then the few capped
			// values taken back (a branch that is rarely taken).
			vec.Masked(d, g, y[lo:end], accum)
			for i, xv := range xs {
				if xv >= hi {
					if accum {
						d[i] -= g[i]
					} else {
						d[i] = 0
					}
				}
			}
			return
		}
		for i, xv := range xs {
			var v float32
			switch {
			case xv >= hi:
			case xv > th: // at the threshold itself, as TensorFlow's relu, not the identity
				v = g[i]
			default:
				v = slope * g[i]
			}
			if accum {
				v += d[i]
			}
			d[i] = v
		}
	})
}
