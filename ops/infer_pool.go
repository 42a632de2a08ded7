package ops

import (
	"fmt"

	"github.com/simdnet/simdnet/internal/vec"
)

// Inference: the pooling kernel, on one goroutine.
func (l *MaxPooling2D) Inference(in ...Shape) (InferenceOp, error) {
	return poolInference(l, &l.Pool2DConfig, in, poolMax, "max pool")
}

// Inference: the pooling kernel, on one goroutine.
func (l *AveragePooling2D) Inference(in ...Shape) (InferenceOp, error) {
	return poolInference(l, &l.Pool2DConfig, in, poolAvg, "average pool")
}

func poolInference(l Layer, c *Pool2DConfig, in []Shape, op poolOp, what string) (InferenceOp, error) {
	g, err := c.geometry(l, in)
	if err != nil {
		return InferenceOp{}, err
	}
	return InferenceOp{Kind: OpKernel, Kernel: Kernel{
		What: fmt.Sprintf("%s %dx%d/%d", what, g.kh, g.kw, g.sh),
		Run: func(dst []float32, src [][]float32, n int) {
			g := g
			g.n = n
			poolRange(g, op, dst, src[0], 0, n*g.oh)
		}}}, nil
}

// Inference: the global pooling kernel, on one goroutine.
func (l *GlobalAveragePooling2D) Inference(in ...Shape) (InferenceOp, error) {
	return globalPoolInference(l, in, l.Keepdims, poolAvg, "global average pool")
}

// Inference: the global pooling kernel, on one goroutine.
func (l *GlobalMaxPooling2D) Inference(in ...Shape) (InferenceOp, error) {
	return globalPoolInference(l, in, l.Keepdims, poolMax, "global max pool")
}

func globalPoolInference(l Layer, in []Shape, keepdims bool, op poolOp, what string) (InferenceOp, error) {
	s, err := globalPoolShape(l, in, keepdims)
	if err != nil {
		return InferenceOp{}, err
	}
	c := s[len(s)-1]
	return InferenceOp{Kind: OpKernel, Kernel: Kernel{What: what,
		Run: func(dst []float32, src [][]float32, n int) {
			globalPoolRange(op, dst, src[0], c, 0, n)
		}}}, nil
}

// poolRange pools output rows [lo, hi) (row r is image r/oh, output row
// r%oh). A window's cells are whole channel vectors and the cells of a
// window row are contiguous, so each output cell is one call of the
// vectorised window routine. Pooling layers and plans share it.
func poolRange(g poolGeom, op poolOp, dst, src []float32, lo, hi int) {
	ch := g.c
	rowStride := g.w * ch
	for r := lo; r < hi; r++ {
		n, y := r/g.oh, r%g.oh
		img := src[n*g.h*g.w*ch : (n+1)*g.h*g.w*ch]
		for xo := 0; xo < g.ow; xo++ {
			out := dst[(r*g.ow+xo)*ch : (r*g.ow+xo+1)*ch]
			y0, y1, x0, x1 := g.window(y, xo)
			win := img[(y0*g.w+x0)*ch:]
			if op == poolMax {
				vec.WindowMax(out, win, ch, x1-x0, y1-y0, rowStride)
				continue
			}
			vec.WindowSum(out, win, ch, x1-x0, y1-y0, rowStride)
			inv := 1 / float32(g.divisor(y, xo))
			for i := range out {
				out[i] *= inv
			}
		}
	}
}

// globalPoolRange reduces images [lo, hi) of src to one channel vector each.
func globalPoolRange(op poolOp, dst, src []float32, c, lo, hi int) {
	batch := len(dst) / c
	pixels := len(src) / batch / c
	for n := lo; n < hi; n++ {
		img := src[n*pixels*c : (n+1)*pixels*c]
		out := dst[n*c : (n+1)*c]
		if op == poolMax {
			vec.WindowMax(out, img, c, pixels, 1, 0)
			continue
		}
		vec.WindowSum(out, img, c, pixels, 1, 0)
		inv := 1 / float32(pixels)
		for i := range out {
			out[i] *= inv
		}
	}
}
