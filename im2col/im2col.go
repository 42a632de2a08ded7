package im2col

import (
	"fmt"

	"github.com/simdnet/simdnet/internal/vec"
)

// Im2Col writes the patch matrix of src into dst: Rows() rows of Cols()
// values, row-major, with zeros where a window overlaps the padding. src is
// the NHWC input batch (InputLen() values). It panics on an invalid geometry
// or short slices, as copy would on a bad bound: callers validate shapes
// first.
func Im2Col(dst, src []float32, g Geometry) {
	mustFit("Im2Col", g, src, dst)
	oh, ow, cols := g.OutH(), g.OutW(), g.Cols()
	rowLen := g.KW * g.C // one kernel row of a patch: contiguous in dst
	r := 0
	for n := 0; n < g.N; n++ {
		img := src[n*g.H*g.W*g.C : (n+1)*g.H*g.W*g.C]
		for y := 0; y < oh; y++ {
			for x := 0; x < ow; x++ {
				patch := dst[r*cols : (r+1)*cols]
				r++
				ih0, iw0 := y*g.SH-g.PadTop, x*g.SW-g.PadLeft
				// Taps [kx0, kx1) of each kernel row lie inside the image:
				// adjacent pixels, so one contiguous run of NHWC values.
				kx0, kx1 := max(0, -iw0), max(0, min(g.KW, g.W-iw0))
				for ky := 0; ky < g.KH; ky++ {
					out := patch[ky*rowLen : (ky+1)*rowLen]
					ih := ih0 + ky
					if ih < 0 || ih >= g.H || kx0 >= kx1 {
						clear(out)
						continue
					}
					clear(out[:kx0*g.C])
					row := (ih*g.W + iw0) * g.C
					copy(out[kx0*g.C:kx1*g.C], img[row+kx0*g.C:row+kx1*g.C])
					clear(out[kx1*g.C:])
				}
			}
		}
	}
}

// Col2Im is the adjoint of Im2Col: it overwrites dst (the NHWC input
// gradient, InputLen() values) with the sum, over every patch, of the patch
// values in cols (Rows()×Cols(), as Im2Col lays them out) added back at the
// input positions they were read from. Values that fell on the padding are
// dropped. It panics like Im2Col.
func Col2Im(dst, cols []float32, g Geometry) {
	mustFit("Col2Im", g, dst, cols)
	clear(dst[:g.InputLen()])
	col2ImAdd(dst, cols, g)
}

// Col2ImAdd is Col2Im adding onto dst instead of overwriting it, as a
// layer's input gradient accumulates over its consumers.
func Col2ImAdd(dst, cols []float32, g Geometry) {
	mustFit("Col2ImAdd", g, dst, cols)
	col2ImAdd(dst, cols, g)
}

func col2ImAdd(dst, cols []float32, g Geometry) {
	oh, ow, k := g.OutH(), g.OutW(), g.Cols()
	r := 0
	for n := 0; n < g.N; n++ {
		img := dst[n*g.H*g.W*g.C : (n+1)*g.H*g.W*g.C]
		for y := 0; y < oh; y++ {
			for x := 0; x < ow; x++ {
				patch := cols[r*k : (r+1)*k]
				r++
				ih0, iw0 := y*g.SH-g.PadTop, x*g.SW-g.PadLeft
				kx0, kx1 := max(0, -iw0), max(0, min(g.KW, g.W-iw0))
				if kx0 >= kx1 {
					continue
				}
				for ky := 0; ky < g.KH; ky++ {
					ih := ih0 + ky
					if ih < 0 || ih >= g.H {
						continue
					}
					row := (ih*g.W + iw0) * g.C
					in := patch[ky*g.KW*g.C+kx0*g.C : ky*g.KW*g.C+kx1*g.C]
					vec.Masked(img[row+kx0*g.C:row+kx1*g.C], in, nil, true) // += in
				}
			}
		}
	}
}

// mustFit panics unless g is valid and the image and matrix slices hold the
// input batch and the patch matrix.
func mustFit(fn string, g Geometry, image, matrix []float32) {
	if err := g.Validate(); err != nil {
		panic(fmt.Sprintf("im2col: %s: %v", fn, err))
	}
	if len(image) < g.InputLen() {
		panic(fmt.Sprintf("im2col: %s: image has %d values, want %d (%d×%d×%d×%d)", fn, len(image), g.InputLen(), g.N, g.H, g.W, g.C))
	}
	if need := g.Rows() * g.Cols(); len(matrix) < need {
		panic(fmt.Sprintf("im2col: %s: patch matrix has %d values, want %d (%d×%d)", fn, len(matrix), need, g.Rows(), g.Cols()))
	}
}
