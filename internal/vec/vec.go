// Package vec holds the element-wise float32 loops of training (batch
// normalisation, ReLU masks, Adam), of pooling and of activations
// (Activate, ActivateRows: ReLU, clip, LeakyReLU, hard_swish, sigmoid,
// SiLU), with AVX2 assembly versions chosen at run time. Every routine has a pure-Go twin (the *Go functions) that computes
// bit-identical results: the assembly uses separate multiplies and adds (no
// FMA), in the same order and association as the twin, and reduces each
// element along the rows in row order.
//
// Row routines take c = len of the per-channel slices and treat the long
// operands as rows of c values (pixels of c channels, NHWC); their lengths
// must be a multiple of c.
package vec

// AccDiff adds x - ref to m for every row of x:
//
//	for r := range len(x)/c { for i := range c { m[i] += x[r*c+i] - ref[i] } }
func AccDiff(m, x, ref []float32) {
	c := len(m)
	if c == 0 || len(x) < c {
		return
	}
	_ = ref[c-1]
	rows := len(x) / c
	accDiff(m, x[:rows*c], ref[:c], c, rows)
}

// AccSqDev adds the squared deviation (x - ref - mu)² to m2 for every row
// of x.
func AccSqDev(m2, x, ref, mu []float32) {
	c := len(m2)
	if c == 0 || len(x) < c {
		return
	}
	_, _ = ref[c-1], mu[c-1]
	rows := len(x) / c
	accSqDev(m2, x[:rows*c], ref[:c], mu[:c], c, rows)
}

// AccGrad adds, for every row, v to s1 and v·(x - mu) to s2, where v is g,
// or g where mask > 0 and zero elsewhere when mask is not nil (mask holds
// ReLU outputs: never negative, never -0).
func AccGrad(s1, s2, g, x, mu, mask []float32) {
	c := len(s1)
	if c == 0 || len(g) < c {
		return
	}
	_, _ = s2[c-1], mu[c-1]
	n := len(g) / c * c
	_ = x[n-1]
	if mask != nil {
		_ = mask[n-1]
	}
	accGrad(s1, s2, g[:n], x[:n], mu[:c], mask, c, n/c)
}

// Affine writes x·scale + shift per channel into dst, or max(that, 0) when
// relu is set.
func Affine(dst, x, scale, shift []float32, relu bool) {
	c := len(scale)
	if c == 0 || len(x) < c {
		return
	}
	_ = shift[c-1]
	n := len(x) / c * c
	_ = dst[n-1]
	affine(dst[:n], x[:n], scale, shift[:c], c, n/c, relu)
}

// InputGrad writes a·v + b·x + k per channel into dx (adds it when accum is
// set), where v is g masked as in AccGrad.
func InputGrad(dx, g, x, mask, a, b, k []float32, accum bool) {
	c := len(a)
	if c == 0 || len(g) < c {
		return
	}
	_, _ = b[c-1], k[c-1]
	n := len(g) / c * c
	_, _ = dx[n-1], x[n-1]
	if mask != nil {
		_ = mask[n-1]
	}
	inputGrad(dx[:n], g[:n], x[:n], mask, a, b[:c], k[:c], c, n/c, accum)
}

// Masked writes g where mask > 0 and zero elsewhere into dst (adds it when
// accum is set); a nil mask passes all of g.
func Masked(dst, g, mask []float32, accum bool) {
	n := len(dst)
	if n == 0 {
		return
	}
	_ = g[n-1]
	if mask != nil {
		_ = mask[n-1]
	}
	if mask == nil && !accum {
		copy(dst, g[:n])
		return
	}
	masked(dst, g[:n], mask, accum)
}

// AdamConsts are the per-step constants of Adam.
type AdamConsts struct {
	B1, C1, B2, C2 float32 // β1, 1-β1, β2, 1-β2
	LR, Eps, WD    float32 // bias-corrected learning rate, ε, weight decay
}

// Adam takes one Adam step on w with gradient g and moments m, v:
//
//	x := g[j] + WD·w[j]      (only when WD != 0)
//	m[j] = B1·m[j] + C1·x
//	v[j] = B2·v[j] + C2·x·x
//	w[j] -= LR·m[j] / (sqrt(v[j]) + Eps)
func Adam(w, g, m, v []float32, k *AdamConsts) {
	n := len(w)
	if n == 0 {
		return
	}
	_, _, _ = g[n-1], m[n-1], v[n-1]
	adam(w, g[:n], m[:n], v[:n], k)
}

// AffinePairReLU writes max((xa·sa + ha) + (xb·sb + hb), 0) per channel
// into dst: the sum of two normalised (or, with scale 1 and shift 0,
// plain) inputs of a residual Add and the ReLU after it.
func AffinePairReLU(dst, xa, sa, ha, xb, sb, hb []float32) {
	c := len(sa)
	if c == 0 || len(dst) < c {
		return
	}
	_, _, _ = ha[c-1], sb[c-1], hb[c-1]
	n := len(dst) / c * c
	_, _ = xa[n-1], xb[n-1]
	affinePairReLU(dst[:n], xa[:n], sa, ha[:c], xb[:n], sb[:c], hb[:c], c, n/c)
}

// WindowMax writes into dst[:c] the channel-wise maximum over a pooling
// window of rows×cols cells of c channels each, starting at src[0]: cells
// in a window row are c values apart, window rows rowStride values apart.
// As MAXPS does, a NaN in a cell propagates unless a later cell's value is
// compared after it.
func WindowMax(dst, src []float32, c, cols, rows, rowStride int) {
	if c == 0 || cols == 0 || rows == 0 {
		return
	}
	_ = dst[c-1]
	_ = src[(rows-1)*rowStride+cols*c-1]
	windowMax(dst, src, c, cols, rows, rowStride)
}

// WindowSum writes into dst[:c] the channel-wise sum over a pooling window
// laid out as for WindowMax, adding the cells in row order.
func WindowSum(dst, src []float32, c, cols, rows, rowStride int) {
	if c == 0 {
		return
	}
	_ = dst[c-1]
	if cols == 0 || rows == 0 {
		clear(dst[:c])
		return
	}
	_ = src[(rows-1)*rowStride+cols*c-1]
	windowSum(dst, src, c, cols, rows, rowStride)
}
