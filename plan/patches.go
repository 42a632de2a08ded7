package plan

import (
	"fmt"

	"github.com/simdnet/simdnet/im2col"
)

// patchGeom is the window of a grouped or dilated convolution, which
// im2col does not know: per image, input h×w×c in groups of cg channels, a
// kh×kw window moved by sh×sw with taps dh×dw apart, padding top and left,
// output oh×ow. Patch row r (image r/(oh·ow), pixel r%(oh·ow)) of group grp
// has kh·kw·cg columns, tap-major: column t·cg + ch is channel grp·cg + ch
// under tap t = ky·kw + kx.
type patchGeom struct {
	h, w, c, cg    int
	kh, kw, sh, sw int
	dh, dw         int
	top, left      int
	oh, ow         int
}

func newPatchGeom(g im2col.Geometry, groups int, dil [2]int) (patchGeom, error) {
	pg := patchGeom{h: g.H, w: g.W, c: g.C, cg: g.C / groups, kh: g.KH, kw: g.KW, sh: g.SH, sw: g.SW,
		dh: dil[0], dw: dil[1], top: g.PadTop, left: g.PadLeft}
	pg.oh = (g.H+g.PadTop+g.PadBottom-pg.dh*(g.KH-1)-1)/g.SH + 1
	pg.ow = (g.W+g.PadLeft+g.PadRight-pg.dw*(g.KW-1)-1)/g.SW + 1
	if g.H < 1 || g.W < 1 || g.C < 1 || g.KH < 1 || g.KW < 1 || g.SH < 1 || g.SW < 1 || pg.oh < 1 || pg.ow < 1 {
		return patchGeom{}, fmt.Errorf("no convolution: %+v with dilation %v", g, dil)
	}
	return pg, nil
}

// patchPacker supplies one group's patches to gemm straight from the input,
// like im2col.Packer does for plain convolutions: no patch matrix is built.
type patchPacker struct {
	g   *patchGeom
	src []float32 // the batch's input
	grp int
}

// segments calls fn for the runs of row r's columns [p0, p0+kc): a run of
// n values at column col, read from src[at:] or zero when at < 0.
func (pk *patchPacker) segments(r, p0, kc int, fn func(col, at, n int)) {
	g := pk.g
	n, rem := r/(g.oh*g.ow), r%(g.oh*g.ow)
	oy, ox := rem/g.ow, rem%g.ow
	for col := p0; col < p0+kc; {
		t, ch := col/g.cg, col%g.cg
		run := min(g.cg-ch, p0+kc-col)
		iy := oy*g.sh - g.top + (t/g.kw)*g.dh
		ix := ox*g.sw - g.left + (t%g.kw)*g.dw
		at := -1
		if iy >= 0 && iy < g.h && ix >= 0 && ix < g.w {
			at = ((n*g.h+iy)*g.w+ix)*g.c + pk.grp*g.cg + ch
		}
		fn(col-p0, at, run)
		col += run
	}
}

// PackRows writes rows [i0, i0+mc), columns [p0, p0+kc) row-major with
// stride ld (gemm.RowPacker).
func (pk *patchPacker) PackRows(dst []float32, ld, i0, mc, p0, kc int) {
	for i := 0; i < mc; i++ {
		row := dst[i*ld : i*ld+kc]
		pk.segments(i0+i, p0, kc, func(col, at, n int) {
			if at < 0 {
				clear(row[col : col+n])
				return
			}
			copy(row[col:col+n], pk.src[at:at+n])
		})
	}
}

// PackA writes rows [i0, i0+mc), columns [p0, p0+kc) as strips of mr rows
// (gemm.APacker).
func (pk *patchPacker) PackA(dst []float32, i0, mc, p0, kc, mr int) {
	for s := 0; s*mr < mc; s++ {
		strip := dst[s*kc*mr : (s+1)*kc*mr]
		rows := min(mr, mc-s*mr)
		for i := 0; i < rows; i++ {
			pk.segments(i0+s*mr+i, p0, kc, func(col, at, n int) {
				for p := col; p < col+n; p++ {
					v := float32(0)
					if at >= 0 {
						v = pk.src[at+p-col]
					}
					strip[p*mr+i] = v
				}
			})
		}
		for i := rows; i < mr; i++ {
			for p := 0; p < kc; p++ {
				strip[p*mr+i] = 0
			}
		}
	}
}

// scaledRows is the operand of a 1×1 product that reads x (pixels × c per
// sample) with each channel scaled by its sample's factor, scale (c per
// sample): squeeze-and-excitation's scale, applied as gemm packs the
// operand rather than in a pass of its own.
type scaledRows struct {
	x, scale  []float32
	c, pixels int
}

// PackRows writes rows [i0, i0+mc), columns [p0, p0+kc) row-major with
// stride ld (gemm.RowPacker).
func (sr *scaledRows) PackRows(dst []float32, ld, i0, mc, p0, kc int) {
	for i := 0; i < mc; i++ {
		r := i0 + i
		f := sr.scale[(r/sr.pixels)*sr.c+p0:][:kc]
		src := sr.x[r*sr.c+p0:][:kc]
		out := dst[i*ld:][:kc]
		for p, v := range src {
			out[p] = v * f[p]
		}
	}
}

// PackA writes rows [i0, i0+mc), columns [p0, p0+kc) as strips of mr rows
// (gemm.APacker).
func (sr *scaledRows) PackA(dst []float32, i0, mc, p0, kc, mr int) {
	for s := 0; s*mr < mc; s++ {
		strip := dst[s*kc*mr : (s+1)*kc*mr]
		rows := min(mr, mc-s*mr)
		for i := 0; i < rows; i++ {
			r := i0 + s*mr + i
			f := sr.scale[(r/sr.pixels)*sr.c+p0:][:kc]
			src := sr.x[r*sr.c+p0:][:kc]
			for p, v := range src {
				strip[p*mr+i] = v * f[p]
			}
		}
		for i := rows; i < mr; i++ {
			for p := 0; p < kc; p++ {
				strip[p*mr+i] = 0
			}
		}
	}
}
