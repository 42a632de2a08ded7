package gemm

import (
	"encoding/binary"
	"runtime"
	"sync"

	"github.com/simdnet/simdnet/internal/parallel"
)

// The int8 driver. B comes packed over its whole depth (PackS8For), so
// there is no KC loop: each micro-kernel call sums over all of K, and its
// int32 tile goes straight to the epilogue. A is packed per block of MC
// rows (all of K), sized to stay in L2 beside the B panel being used:
//
//	for each block of MC rows (spread over threads, with column ranges when
//	there are fewer blocks than threads):
//	    pack the block's strips
//	    for each B panel of the range:
//	        for each strip: kernel → int32 tile → epilogue → C
//
// Integer sums are exact, so the result does not depend on the split.

// qMinWork is the number of multiply-adds that makes a goroutine's worth of
// int8 work.
const qMinWork = 1 << 20

// qWorkspace is one goroutine's packed A block and tile.
type qWorkspace struct {
	a    []uint8
	tile []int32
}

var qWorkspaces = sync.Pool{New: func() any { return new(qWorkspace) }}

// runQ runs the checked product p with the kernel its B is packed for.
func runQ(p *QParams) {
	kern := &p.B.kern
	mc := qBlockRowsFor(kern, p.B.groups)
	mBlocks := (p.M + mc - 1) / mc
	panels := (p.N + kern.NR - 1) / kern.NR

	t := p.Threads
	if t == 0 {
		t = runtime.GOMAXPROCS(0)
	}
	t = max(1, min(t, p.M*p.N*max(p.K, 1)/qMinWork))
	// Column ranges only when the row blocks are too few to go round.
	nParts := min(panels, max(1, (t+mBlocks-1)/mBlocks))
	units := mBlocks * nParts
	t = min(t, units)

	parallel.Split(t, units, func(_, lo, hi int) {
		ws := qWorkspaces.Get().(*qWorkspace)
		for u := lo; u < hi; u++ {
			mb, np := u/nParts, u%nParts
			i0 := mb * mc
			rows := min(mc, p.M-i0)
			jr0, jr1 := panels*np/nParts, panels*(np+1)/nParts
			runQBlock(p, kern, ws, i0, rows, jr0, jr1)
		}
		qWorkspaces.Put(ws)
	})
}

// qBlockRowsFor shrinks the kernel's MC for deep products, so that the
// packed block of A stays within about 384 KiB.
func qBlockRowsFor(kern *QKernel, groups int) int {
	perRow := max(1, groups*kern.KGroup*kern.AWidth)
	mc := min(kern.MC, (384<<10)/perRow/kern.MR*kern.MR)
	return max(kern.MR, mc)
}

// runQBlock computes rows [i0, i0+rows) of C for the B panels [jr0, jr1).
func runQBlock(p *QParams, kern *QKernel, ws *qWorkspace, i0, rows, jr0, jr1 int) {
	groups := p.B.groups
	strips := (rows + kern.MR - 1) / kern.MR
	stripSize := kern.stripBytes(groups)
	ws.a = growBytes(ws.a, strips*stripSize)
	if len(ws.tile) < kern.MR*kern.NR {
		ws.tile = make([]int32, kern.MR*kern.NR)
	}
	tile := ws.tile[:kern.MR*kern.NR]
	// Kernels that read A in place do so for whole strips when k is a whole
	// number of groups; the other strips (the last, short one; every one
	// when k is not) are copied row by row into rows of whole groups, zero
	// past k and past the last row, and read in place from there. The
	// other kernels get strips packed in their layout.
	direct := kern.inPlace && p.K%kern.KGroup == 0
	ldp := groups * kern.KGroup
	stripRS, stripKS := kern.stripStrides()
	if kern.inPlace {
		stripRS, stripKS = ldp, kern.KGroup
	}
	for s := 0; s < strips; s++ {
		r0 := i0 + s*kern.MR
		rows := min(kern.MR, p.M-r0)
		dst := ws.a[s*stripSize : (s+1)*stripSize]
		switch {
		case direct && rows == kern.MR:
		case kern.inPlace:
			copyQRows(dst, ldp, p.A[r0*p.LDA:], p.LDA, rows, p.K)
		default:
			packQStrip(kern, dst, p.A[r0*p.LDA:], p.LDA, rows, p.K)
		}
	}
	for jr := jr0; jr < jr1; jr++ {
		panel := p.B.panel(jr)
		j := jr * kern.NR
		cols := min(kern.NR, p.N-j)
		for s := 0; s < strips; s++ {
			r0 := i0 + s*kern.MR
			switch {
			case groups == 0:
				clear(tile)
			case direct && p.M-r0 >= kern.MR:
				a := p.A[r0*p.LDA : (r0+kern.MR-1)*p.LDA+p.K]
				kern.fn(groups, a, p.LDA, kern.KGroup, panel, tile)
			default:
				kern.fn(groups, ws.a[s*stripSize:(s+1)*stripSize], stripRS, stripKS, panel, tile)
			}
			qFinishTile(p, tile, kern.NR, r0, min(kern.MR, p.M-r0), j, cols)
		}
	}
}

// copyQRows copies rows rows of a k-deep row-major A into dst as rows of
// ldp ≥ k bytes, zero past k, and zeroes dst's remaining rows: the strip a
// kernel reading A in place takes when A itself cannot be read so.
func copyQRows(dst []uint8, ldp int, a []uint8, lda, rows, k int) {
	for i := 0; i < rows; i++ {
		copy(dst[i*ldp:i*ldp+k], a[i*lda:i*lda+k])
		clear(dst[i*ldp+k : (i+1)*ldp])
	}
	clear(dst[rows*ldp:])
}

// growBytes returns buf resliced to n bytes, reallocated if it is shorter.
func growBytes(buf []uint8, n int) []uint8 {
	if cap(buf) < n {
		return make([]uint8, n)
	}
	return buf[:n]
}

// packQStrip packs rows (at most MR) rows of a k-deep row-major A into one
// strip of kern's layout (see QKernel), zero past the rows and past k.
func packQStrip(kern *QKernel, dst []uint8, a []uint8, lda, rows, k int) {
	mr, kg, w := kern.MR, kern.KGroup, kern.AWidth
	groups := (k + kg - 1) / kg
	full := k / kg // groups with no k past the matrix
	// The common cases: a whole group is one 32-bit word, moved as one.
	fast := rows == mr && (kg == 4 && w == 1 || kg == 2 && w == 2)
	if fast {
		for i := 0; i < mr; i++ {
			row := a[i*lda : i*lda+k]
			for g := 0; g < full; g++ {
				var v uint32
				if kg == 4 {
					v = binary.LittleEndian.Uint32(row[4*g:])
				} else { // two values, each widened to 16 bits
					v = uint32(row[2*g]) | uint32(row[2*g+1])<<16
				}
				binary.LittleEndian.PutUint32(dst[(g*mr+i)*4:], v)
			}
		}
	}
	start := 0
	if fast {
		start = full
	}
	for g := start; g < groups; g++ {
		blk := dst[g*mr*kg*w : (g+1)*mr*kg*w]
		clear(blk)
		for i := 0; i < rows; i++ {
			row := a[i*lda : i*lda+k]
			for t := 0; t < kg; t++ {
				if q := g*kg + t; q < k {
					blk[(i*kg+t)*w] = row[q]
				}
			}
		}
	}
}
