//go:build !amd64 || !gc || purego

package vec

func accDiff(m, x, ref []float32, c, rows int)       { accDiffGo(m, x, ref, c, rows) }
func accSqDev(m2, x, ref, mu []float32, c, rows int) { accSqDevGo(m2, x, ref, mu, c, rows) }
func accGrad(s1, s2, g, x, mu, mask []float32, c, rows int) {
	accGradGo(s1, s2, g, x, mu, mask, c, rows)
}
func affine(dst, x, scale, shift []float32, c, rows int, relu bool) {
	affineGo(dst, x, scale, shift, c, rows, relu)
}
func inputGrad(dx, g, x, mask, a, b, k []float32, c, rows int, accum bool) {
	inputGradGo(dx, g, x, mask, a, b, k, c, rows, accum)
}
func masked(dst, g, mask []float32, accum bool) { maskedGo(dst, g, mask, accum) }
func adam(w, g, m, v []float32, k *AdamConsts)  { adamGo(w, g, m, v, k) }

// HasAsm reports whether the assembly routines run on this CPU.
const HasAsm = false

func affinePairReLU(dst, xa, sa, ha, xb, sb, hb []float32, c, rows int) {
	affinePairReLUGo(dst, xa, sa, ha, xb, sb, hb, c, rows)
}

func windowMax(dst, src []float32, c, cols, rows, rowStride int) {
	windowMaxGo(dst, src, c, cols, rows, rowStride)
}

func windowSum(dst, src []float32, c, cols, rows, rowStride int) {
	windowSumGo(dst, src, c, cols, rows, rowStride)
}

func activate(dst, src []float32, ld, rows, cols int, a *Activation) {
	activateGo(dst, src, ld, rows, cols, a)
}
