package train

import (
	"github.com/simdnet/simdnet/internal/parallel"

	"github.com/simdnet/simdnet/internal/vec"
	"github.com/simdnet/simdnet/ops"
)

// maskedCopy writes (or adds, when accum is set) g where mask > 0 and zero
// elsewhere into dst; a nil mask passes all of g. It is the backward pass
// of a ReLU (mask: its output), of Add, Flatten and linear activations (no
// mask, or the mask of a ReLU the gradient view carries).
func maskedCopy(dst, g, mask []float32, accum bool) {
	parallel.For(len(dst), parallel.MinWork, func(lo, hi int) {
		var m []float32
		if mask != nil {
			m = mask[lo:hi]
		}
		vec.Masked(dst[lo:hi], g[lo:hi], m, accum)
	})
}

// softmaxBackward writes (or adds) the gradient through a softmax over rows
// of the given width: with y the softmax output, dx = y ⊙ (g - Σ g·y).
func softmaxBackward(dst, g, y []float32, width int, accum bool) {
	parallel.For(len(dst)/width, parallel.Grain(4*width), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			gs, ys, d := g[r*width:(r+1)*width], y[r*width:(r+1)*width], dst[r*width:(r+1)*width]
			var dot float64
			for i, v := range gs {
				dot += float64(v) * float64(ys[i])
			}
			for i, v := range gs {
				e := ys[i] * (v - float32(dot))
				if accum {
					e += d[i]
				}
				d[i] = e
			}
		}
	})
}

// zeroPadBackward crops the padding off the output gradient g: each input
// value's gradient is that of the output value it was copied to.
func zeroPadBackward(l *ops.ZeroPadding2D, dx, g []float32, in, out ops.Shape, accum bool) {
	h, w, c := in[1], in[2], in[3]
	oh, ow := out[1], out[2]
	rows := in[0] * h
	parallel.For(rows, parallel.Grain(w*c), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			n, y := r/h, r%h
			src := g[((n*oh+y+l.Top)*ow+l.Left)*c:][:w*c]
			dst := dx[r*w*c : (r+1)*w*c]
			if accum {
				for i, v := range src {
					dst[i] += v
				}
			} else {
				copy(dst, src)
			}
		}
	})
}
