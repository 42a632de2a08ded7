package gemm

import "fmt"

// APacker supplies the A operand block by block, already in the micro-kernel's
// layout. Convolutions implement it to pack image patches straight from the
// input tensor, so the full im2col matrix is never built.
//
// PackA writes rows [i0, i0+mc) and columns [p0, p0+kc) of the logical m×k
// matrix A into dst as ceil(mc/mr) strips of kc×mr values:
//
//	dst[s*kc*mr + p*mr + i] = A[i0 + s*mr + i][p0 + p]
//
// with zeros for rows at or past i0+mc. PackA is called concurrently from
// several goroutines on disjoint row ranges and must be safe for that.
type APacker interface {
	PackA(dst []float32, i0, mc, p0, kc, mr int)
}

// matrixA is the built-in A operand: a row-major matrix, possibly transposed,
// whose values are scaled by alpha as they are packed.
type matrixA struct {
	data  []float32
	ld    int
	trans bool // A is stored k×m; element (i, p) sits at data[p*ld+i]
	alpha float32
}

func (m *matrixA) PackA(dst []float32, i0, mc, p0, kc, mr int) {
	for s := 0; s*mr < mc; s++ {
		rows := min(mr, mc-s*mr)
		strip := dst[s*kc*mr : (s+1)*kc*mr]
		r0 := i0 + s*mr
		if m.trans {
			// Row p of the stored matrix holds column p of A: mr contiguous values.
			for p := 0; p < kc; p++ {
				src := m.data[(p0+p)*m.ld+r0 : (p0+p)*m.ld+r0+rows]
				out := strip[p*mr : p*mr+mr]
				for i, v := range src {
					out[i] = m.alpha * v
				}
				clear(out[rows:])
			}
			continue
		}
		for i := 0; i < rows; i++ {
			src := m.data[(r0+i)*m.ld+p0 : (r0+i)*m.ld+p0+kc]
			for p, v := range src {
				strip[p*mr+i] = m.alpha * v
			}
		}
		for i := rows; i < mr; i++ {
			for p := 0; p < kc; p++ {
				strip[p*mr+i] = 0
			}
		}
	}
}

// scaleA multiplies a packed A block by alpha, for caller-supplied packers.
func scaleA(dst []float32, alpha float32) {
	for i := range dst {
		dst[i] *= alpha
	}
}

// packB writes columns [j0, j0+nc) and rows [p0, p0+kc) of op(B) into dst as
// ceil(nc/nr) panels of kc×nr values, zero-padding the last panel:
//
//	dst[q*kc*nr + p*nr + j] = B[p0 + p][j0 + q*nr + j]
func packB(dst []float32, b []float32, ldb int, trans bool, p0, kc, j0, nc, nr int) {
	if !trans {
		// Walk B by rows, dealing each row out to the panels: reading
		// down a column instead touches a new cache line every ldb floats,
		// which the hardware prefetcher does not follow across pages. The
		// full panels go through packBRows (a copy call per NR values cost
		// as much as the copy); the ragged last one is zero-padded here.
		full := nc / nr
		if full > 0 && kc > 0 {
			src := b[p0*ldb+j0 : (p0+kc-1)*ldb+j0+full*nr]
			packBRows(dst[:(full-1)*kc*nr+kc*nr], src, kc, ldb, full, nr, kc*nr)
		}
		if cols := nc - full*nr; cols > 0 {
			panel := dst[full*kc*nr : (full+1)*kc*nr]
			for p := 0; p < kc; p++ {
				row := b[(p0+p)*ldb+j0+full*nr:]
				out := panel[p*nr : p*nr+nr]
				copy(out, row[:cols])
				clear(out[cols:])
			}
		}
		return
	}
	packBTrans(dst, b, ldb, p0, kc, j0, nc, nr)
}

// packBTrans is packB for B stored n×k (op(B) = Bᵀ): column j of op(B) is
// row j of the stored matrix, so packing is a transpose. It reads eight
// stored rows at a time and writes each depth's eight values as one run:
// one value at a time, every write would touch a new cache line of the
// panel (nr values apart), which measured 3-4× slower on the kernels of
// convolutions' input gradients (2048×512 and 512×4608 transposed).
func packBTrans(dst []float32, b []float32, ldb int, p0, kc, j0, nc, nr int) {
	for q := 0; q*nr < nc; q++ {
		cols := min(nr, nc-q*nr)
		panel := dst[q*kc*nr : (q+1)*kc*nr]
		c0 := j0 + q*nr
		j := 0
		for ; j+16 <= cols; j += 16 {
			row := func(i int) []float32 { return b[(c0+j+i)*ldb+p0:][:kc] }
			r0, r1, r2, r3, r4, r5, r6, r7 := row(0), row(1), row(2), row(3), row(4), row(5), row(6), row(7)
			r8, r9, r10, r11, r12, r13, r14, r15 := row(8), row(9), row(10), row(11), row(12), row(13), row(14), row(15)
			for p := range kc {
				d := (*[16]float32)(panel[p*nr+j:])
				d[0], d[1], d[2], d[3] = r0[p], r1[p], r2[p], r3[p]
				d[4], d[5], d[6], d[7] = r4[p], r5[p], r6[p], r7[p]
				d[8], d[9], d[10], d[11] = r8[p], r9[p], r10[p], r11[p]
				d[12], d[13], d[14], d[15] = r12[p], r13[p], r14[p], r15[p]
			}
		}
		for ; j+8 <= cols; j += 8 {
			row := func(i int) []float32 { return b[(c0+j+i)*ldb+p0:][:kc] }
			r0, r1, r2, r3, r4, r5, r6, r7 := row(0), row(1), row(2), row(3), row(4), row(5), row(6), row(7)
			for p := range kc {
				d := (*[8]float32)(panel[p*nr+j:])
				d[0], d[1], d[2], d[3] = r0[p], r1[p], r2[p], r3[p]
				d[4], d[5], d[6], d[7] = r4[p], r5[p], r6[p], r7[p]
			}
		}
		for ; j < cols; j++ {
			for p, v := range b[(c0+j)*ldb+p0 : (c0+j)*ldb+p0+kc] {
				panel[p*nr+j] = v
			}
		}
		for j := cols; j < nr; j++ {
			for p := 0; p < kc; p++ {
				panel[p*nr+j] = 0
			}
		}
	}
}

// RowPacker is an optional interface for an APacker that can also write A
// row-major: the micro-kernel then reads the block with row stride ld, and
// packing is a copy of contiguous runs instead of a scatter into MR-wide
// strips. PackRows writes rows [i0, i0+mc) and columns [p0, p0+kc) of A as
//
//	dst[i*ld + p] = A[i0+i][p0+p]
//
// leaving dst[i*ld+kc : (i+1)*ld] alone. Like PackA, it is called
// concurrently on disjoint row ranges.
type RowPacker interface {
	PackRows(dst []float32, ld, i0, mc, p0, kc int)
}

// PackRows copies rows [i0, i0+mc) and columns [p0, p0+kc) of a
// non-transposed A into dst with row stride ld, scaled by alpha: runs of kc
// contiguous values, a memmove each when alpha is 1.
func (m *matrixA) PackRows(dst []float32, ld, i0, mc, p0, kc int) {
	for i := 0; i < mc; i++ {
		src := m.data[(i0+i)*m.ld+p0 : (i0+i)*m.ld+p0+kc]
		out := dst[i*ld : i*ld+kc]
		if m.alpha == 1 {
			copy(out, src)
			continue
		}
		for p, v := range src {
			out[p] = m.alpha * v
		}
	}
}

// packBRowsGo deals rows rows of B (row stride ldb) out to panels full
// panels of nr columns, panelStride values apart in dst:
//
//	dst[q*panelStride + p*nr + j] = src[p*ldb + q*nr + j]
func packBRowsGo(dst, src []float32, rows, ldb, panels, nr, panelStride int) {
	for p := 0; p < rows; p++ {
		row := src[p*ldb : p*ldb+panels*nr]
		for q := 0; q < panels; q++ {
			copy(dst[q*panelStride+p*nr:q*panelStride+p*nr+nr], row[q*nr:q*nr+nr])
		}
	}
}

// checkPackBRows panics unless dst and src, of the lengths given, hold what
// packBRows with these arguments writes and reads: rows ≥ 1 rows of
// panels·nr values ldb apart in src, and panels panels of rows·nr values
// panelStride apart in dst. Every product is checked for overflow, so that
// no absurd argument slips through as a small extent.
func checkPackBRows(dstLen, srcLen, rows, ldb, panels, nr, panelStride int) {
	width, okW := extent(panels, nr, nr) // panels·nr values per row of src
	panel, okP := extent(rows, nr, nr)   // rows·nr values per panel
	if !okW || !okP || ldb < width || panelStride < panel {
		panic(fmt.Sprintf("gemm: packBRows: %d panels of %d×%d do not fit ldb = %d and panel stride %d", panels, rows, nr, ldb, panelStride))
	}
	srcNeed, okS := extent(rows, ldb, width)
	dstNeed, okD := extent(panels, panelStride, panel)
	if !okS || !okD || srcLen < srcNeed || dstLen < dstNeed {
		panic(fmt.Sprintf("gemm: packBRows: %d panels of %d×%d (ldb %d, panel stride %d) need len(src) ≥ %d and len(dst) ≥ %d, have %d and %d",
			panels, rows, nr, ldb, panelStride, srcNeed, dstNeed, srcLen, dstLen))
	}
}
