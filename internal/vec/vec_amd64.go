//go:build amd64 && gc && !purego

package vec

import (
	"fmt"
	"math"

	"github.com/klauspost/cpuid/v2"
)

// HasAsm reports whether the assembly routines run on this CPU.
var HasAsm = cpuid.CPU.Supports(cpuid.AVX, cpuid.AVX2)

// The assembly routines. Row routines loop over rows of c elements, with
// the per-channel operands (length c) read afresh for each row.

// accDiffAVX2 is accDiffGo.
//
//go:noescape
func accDiffAVX2(m, x, ref *float32, c, rows int)

// accSqDevAVX2 is accSqDevGo.
//
//go:noescape
func accSqDevAVX2(m2, x, ref, mu *float32, c, rows int)

// accGradAVX2 is accGradGo; mask may be nil.
//
//go:noescape
func accGradAVX2(s1, s2, grad, x, mu, mask *float32, c, rows int)

// affineAVX2 is affineGo; relu is 0 or 1.
//
//go:noescape
func affineAVX2(dst, x, scale, shift *float32, c, rows, relu int)

// inputGradAVX2 is inputGradGo; mask may be nil, accum is 0 or 1.
//
//go:noescape
func inputGradAVX2(dx, grad, x, mask, a, b, k *float32, c, rows, accum int)

// maskedAVX2 is maskedGo over n elements; mask may be nil, accum is 0 or 1.
//
//go:noescape
func maskedAVX2(dst, grad, mask *float32, n, accum int)

// adamAVX2 is adamGo over n elements; decay is 1 when k.WD != 0.
//
//go:noescape
func adamAVX2(w, grad, m, v *float32, n int, k *AdamConsts, decay int)

// need panics unless every slice holds at least n values, and n ≥ 1: the
// assembly cannot check bounds and the pointers passed are to element 0,
// so every wrapper asserts the extents its routine reads and writes first.
func need(n int, s ...[]float32) {
	for _, x := range s {
		if n < 1 || len(x) < n {
			panic(fmt.Sprintf("vec: a slice of %d values where the routine uses %d", len(x), n))
		}
	}
}

// needMask is need for an optional mask.
func needMask(n int, mask []float32) {
	if mask != nil {
		need(n, mask)
	}
}

// needWindow asserts what a pooling window of rows×cols cells of c values
// reads from src (rowStride apart) and writes to dst, computing the extent
// only where it cannot overflow.
func needWindow(dst, src []float32, c, cols, rows, rowStride int) {
	need(c, dst)
	if cols < 1 || rows < 1 || rowStride < 0 || cols > math.MaxInt/c ||
		rowStride > 0 && rows-1 > (math.MaxInt-cols*c)/rowStride {
		panic(fmt.Sprintf("vec: a window of %d×%d cells of %d values, rows %d apart, is out of range", rows, cols, c, rowStride))
	}
	need((rows-1)*rowStride+cols*c, src)
}

func ptr(s []float32) *float32 {
	if s == nil {
		return nil
	}
	return &s[0]
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func accDiff(m, x, ref []float32, c, rows int) {
	if !HasAsm {
		accDiffGo(m, x, ref, c, rows)
		return
	}
	need(c, m, ref)
	need(c*rows, x)
	accDiffAVX2(&m[0], &x[0], &ref[0], c, rows)
}

func accSqDev(m2, x, ref, mu []float32, c, rows int) {
	if !HasAsm {
		accSqDevGo(m2, x, ref, mu, c, rows)
		return
	}
	need(c, m2, ref, mu)
	need(c*rows, x)
	accSqDevAVX2(&m2[0], &x[0], &ref[0], &mu[0], c, rows)
}

func accGrad(s1, s2, g, x, mu, mask []float32, c, rows int) {
	if !HasAsm {
		accGradGo(s1, s2, g, x, mu, mask, c, rows)
		return
	}
	need(c, s1, s2, mu)
	need(c*rows, g, x)
	needMask(c*rows, mask)
	accGradAVX2(&s1[0], &s2[0], &g[0], &x[0], &mu[0], ptr(mask), c, rows)
}

func affine(dst, x, scale, shift []float32, c, rows int, relu bool) {
	if !HasAsm {
		affineGo(dst, x, scale, shift, c, rows, relu)
		return
	}
	need(c, scale, shift)
	need(c*rows, dst, x)
	affineAVX2(&dst[0], &x[0], &scale[0], &shift[0], c, rows, b2i(relu))
}

func inputGrad(dx, g, x, mask, a, b, k []float32, c, rows int, accum bool) {
	if !HasAsm {
		inputGradGo(dx, g, x, mask, a, b, k, c, rows, accum)
		return
	}
	need(c, a, b, k)
	need(c*rows, dx, g, x)
	needMask(c*rows, mask)
	inputGradAVX2(&dx[0], &g[0], &x[0], ptr(mask), &a[0], &b[0], &k[0], c, rows, b2i(accum))
}

func masked(dst, g, mask []float32, accum bool) {
	if !HasAsm {
		maskedGo(dst, g, mask, accum)
		return
	}
	need(len(dst), g)
	needMask(len(dst), mask)
	maskedAVX2(&dst[0], &g[0], ptr(mask), len(dst), b2i(accum))
}

func adam(w, g, m, v []float32, k *AdamConsts) {
	if !HasAsm {
		adamGo(w, g, m, v, k)
		return
	}
	need(len(w), g, m, v)
	adamAVX2(&w[0], &g[0], &m[0], &v[0], len(w), k, b2i(k.WD != 0))
}

// affinePairReLUAVX2 is affinePairReLUGo.
//
//go:noescape
func affinePairReLUAVX2(dst, xa, sa, ha, xb, sb, hb *float32, c, rows int)

func affinePairReLU(dst, xa, sa, ha, xb, sb, hb []float32, c, rows int) {
	if !HasAsm {
		affinePairReLUGo(dst, xa, sa, ha, xb, sb, hb, c, rows)
		return
	}
	need(c, sa, ha, sb, hb)
	need(c*rows, dst, xa, xb)
	affinePairReLUAVX2(&dst[0], &xa[0], &sa[0], &ha[0], &xb[0], &sb[0], &hb[0], c, rows)
}

// windowMaxAVX2 is windowMaxGo; rows, cols ≥ 1.
//
//go:noescape
func windowMaxAVX2(dst, src *float32, c, cols, rows, rowStride int)

// windowSumAVX2 is windowSumGo; rows, cols ≥ 1.
//
//go:noescape
func windowSumAVX2(dst, src *float32, c, cols, rows, rowStride int)

func windowMax(dst, src []float32, c, cols, rows, rowStride int) {
	if !HasAsm {
		windowMaxGo(dst, src, c, cols, rows, rowStride)
		return
	}
	needWindow(dst, src, c, cols, rows, rowStride)
	windowMaxAVX2(&dst[0], &src[0], c, cols, rows, rowStride)
}

func windowSum(dst, src []float32, c, cols, rows, rowStride int) {
	if !HasAsm {
		windowSumGo(dst, src, c, cols, rows, rowStride)
		return
	}
	needWindow(dst, src, c, cols, rows, rowStride)
	windowSumAVX2(&dst[0], &src[0], c, cols, rows, rowStride)
}
