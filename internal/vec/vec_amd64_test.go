//go:build amd64 && gc && !purego

package vec

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// The assembly routines against their twins, called directly, on every
// row length 0..70 and on large ones, each buffer in guard bands.

// mptr is ptr for an optional mask that may be empty.
func mptr(s []float32) *float32 {
	if s == nil {
		return nil
	}
	return ptr0(s)
}

func skipNoAsm(t *testing.T) {
	if !HasAsm {
		t.Skip("no assembly on this CPU or build")
	}
}

func TestRowRoutines(t *testing.T) {
	skipNoAsm(t)
	r := rand.New(rand.NewPCG(1, 2))
	n, rl, p := normal(r), relu(r), positive(r)
	for _, sh := range shapes() {
		c, rows := sh[0], sh[1]
		if c == 0 {
			continue
		}
		// accDiff: m, x, ref
		tw := newTwins(r, []int{c, c * rows, c}, []func() float32{n, n, n})
		a, b := tw.args(true), tw.args(false)
		accDiffAVX2(ptr0(a[0]), ptr0(a[1]), ptr0(a[2]), c, rows)
		accDiffGo(b[0], b[1], b[2], c, rows)
		tw.check(t, "accDiff")

		tw = newTwins(r, []int{c, c * rows, c, c}, []func() float32{p, n, n, n})
		a, b = tw.args(true), tw.args(false)
		accSqDevAVX2(ptr0(a[0]), ptr0(a[1]), ptr0(a[2]), ptr0(a[3]), c, rows)
		accSqDevGo(b[0], b[1], b[2], b[3], c, rows)
		tw.check(t, "accSqDev")

		for _, withMask := range []bool{false, true} {
			tw = newTwins(r, []int{c, c, c * rows, c * rows, c, c * rows}, []func() float32{n, n, n, n, n, rl})
			a, b = tw.args(true), tw.args(false)
			am, bm := a[5], b[5]
			if !withMask {
				am, bm = nil, nil
			}
			accGradAVX2(ptr0(a[0]), ptr0(a[1]), ptr0(a[2]), ptr0(a[3]), ptr0(a[4]), mptr(am), c, rows)
			accGradGo(b[0], b[1], b[2], b[3], b[4], bm, c, rows)
			tw.check(t, "accGrad")

			for _, accum := range []bool{false, true} {
				tw = newTwins(r, []int{c * rows, c * rows, c * rows, c * rows, c, c, c}, []func() float32{n, n, n, rl, n, n, n})
				a, b = tw.args(true), tw.args(false)
				am, bm := a[3], b[3]
				if !withMask {
					am, bm = nil, nil
				}
				inputGradAVX2(ptr0(a[0]), ptr0(a[1]), ptr0(a[2]), mptr(am), ptr0(a[4]), ptr0(a[5]), ptr0(a[6]), c, rows, b2i(accum))
				inputGradGo(b[0], b[1], b[2], bm, b[4], b[5], b[6], c, rows, accum)
				tw.check(t, "inputGrad")
			}
		}
		tw = newTwins(r, []int{c * rows, c * rows, c, c, c * rows, c, c}, []func() float32{n, n, n, n, n, n, n})
		a, b = tw.args(true), tw.args(false)
		affinePairReLUAVX2(ptr0(a[0]), ptr0(a[1]), ptr0(a[2]), ptr0(a[3]), ptr0(a[4]), ptr0(a[5]), ptr0(a[6]), c, rows)
		affinePairReLUGo(b[0], b[1], b[2], b[3], b[4], b[5], b[6], c, rows)
		tw.check(t, "affinePairReLU")
		for _, rel := range []bool{false, true} {
			tw = newTwins(r, []int{c * rows, c * rows, c, c}, []func() float32{n, n, n, n})
			a, b = tw.args(true), tw.args(false)
			affineAVX2(ptr0(a[0]), ptr0(a[1]), ptr0(a[2]), ptr0(a[3]), c, rows, b2i(rel))
			affineGo(b[0], b[1], b[2], b[3], c, rows, rel)
			tw.check(t, "affine")
		}
	}
}

// ptr0 is ptr for a buffer that may be empty: the address of its first
// guard-band sentinel then, which the routines must not touch.
func ptr0(s []float32) *float32 {
	if len(s) == 0 {
		return &s[:1][0]
	}
	return &s[0]
}

func TestFlatRoutines(t *testing.T) {
	skipNoAsm(t)
	r := rand.New(rand.NewPCG(3, 4))
	n, rl, p := normal(r), relu(r), positive(r)
	for _, ln := range lengths() {
		for _, withMask := range []bool{false, true} {
			for _, accum := range []bool{false, true} {
				tw := newTwins(r, []int{ln, ln, ln}, []func() float32{n, n, rl})
				a, b := tw.args(true), tw.args(false)
				am, bm := a[2], b[2]
				if !withMask {
					am, bm = nil, nil
				}
				maskedAVX2(ptr0(a[0]), ptr0(a[1]), mptr(am), ln, b2i(accum))
				maskedGo(b[0], b[1], bm, accum)
				tw.check(t, "masked")
			}
		}
		for _, wd := range []float32{0, 1e-4} {
			k := &AdamConsts{B1: 0.9, C1: 1 - float32(0.9), B2: 0.999, C2: 1 - float32(0.999), LR: 1e-3, Eps: 1e-7, WD: wd}
			tw := newTwins(r, []int{ln, ln, ln, ln}, []func() float32{n, n, n, p})
			a, b := tw.args(true), tw.args(false)
			adamAVX2(ptr0(a[0]), ptr0(a[1]), ptr0(a[2]), ptr0(a[3]), ln, k, b2i(wd != 0))
			adamGo(b[0], b[1], b[2], b[3], k)
			tw.check(t, "adam")
		}
	}
}

// TestWindowRoutines runs the pooling window routines against their twins
// on every channel count 1..70 and a few wide ones, windows from 1×1 to
// 3×4, a row stride wider than the window, and inputs with ties, zeros of
// both signs and NaNs, whose handling must match MAXPS to the bit.
func TestWindowRoutines(t *testing.T) {
	skipNoAsm(t)
	r := rand.New(rand.NewPCG(7, 8))
	n := normal(r)
	odd := func() float32 {
		switch r.IntN(8) {
		case 0:
			return 0
		case 1:
			return float32(math.Copysign(0, -1))
		case 2:
			return float32(math.NaN())
		case 3:
			return 1
		}
		return n()
	}
	var cs []int
	for c := 1; c <= 70; c++ {
		cs = append(cs, c)
	}
	cs = append(cs, 256, 1001)
	for _, c := range cs {
		for _, win := range [][2]int{{1, 1}, {1, 3}, {3, 1}, {3, 3}, {2, 4}} {
			rows, cols := win[0], win[1]
			stride := cols*c + 5
			for _, gen := range []func() float32{n, odd} {
				tw := newTwins(r, []int{c, (rows-1)*stride + cols*c}, []func() float32{n, gen})
				a, b := tw.args(true), tw.args(false)
				windowMaxAVX2(ptr0(a[0]), ptr0(a[1]), c, cols, rows, stride)
				windowMaxGo(b[0], b[1], c, cols, rows, stride)
				tw.check(t, "windowMax")
				tw = newTwins(r, []int{c, (rows-1)*stride + cols*c}, []func() float32{n, gen})
				a, b = tw.args(true), tw.args(false)
				windowSumAVX2(ptr0(a[0]), ptr0(a[1]), c, cols, rows, stride)
				windowSumGo(b[0], b[1], c, cols, rows, stride)
				tw.check(t, "windowSum")
			}
		}
	}
}

// TestWrappersCheckBounds: each assembly wrapper panics on a slice shorter
// than its routine uses, before the assembly runs, whatever its caller
// checked.
func TestWrappersCheckBounds(t *testing.T) {
	skipNoAsm(t)
	s := func(n int) []float32 { return make([]float32, n) }
	const c, rows = 8, 3
	for _, tc := range []struct {
		name string
		call func()
	}{
		{"accDiff x", func() { accDiff(s(c), s(c*rows-1), s(c), c, rows) }},
		{"accSqDev mu", func() { accSqDev(s(c), s(c*rows), s(c), s(c-1), c, rows) }},
		{"accGrad mask", func() { accGrad(s(c), s(c), s(c*rows), s(c*rows), s(c), s(c*rows-1), c, rows) }},
		{"affine dst", func() { affine(s(c*rows-1), s(c*rows), s(c), s(c), c, rows, true) }},
		{"inputGrad k", func() { inputGrad(s(c*rows), s(c*rows), s(c*rows), nil, s(c), s(c), s(c-1), c, rows, false) }},
		{"masked g", func() { masked(s(10), s(9), nil, true) }},
		{"adam v", func() { adam(s(10), s(10), s(10), s(9), &AdamConsts{}) }},
		{"affinePairReLU xb", func() { affinePairReLU(s(c*rows), s(c*rows), s(c), s(c), s(c*rows-1), s(c), s(c), c, rows) }},
		{"windowMax src", func() { windowMax(s(c), s(2*20+3*c-1), c, 3, 3, 20) }},
		{"windowSum stride", func() { windowSum(s(c), s(100), c, 3, 3, math.MaxInt/2) }},
	} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "vec:") {
					t.Errorf("%s: recovered %v, want a vec panic", tc.name, r)
				}
			}()
			tc.call()
		}()
	}
}
