package gemm

import (
	"github.com/simdnet/simdnet/internal/freelist"
	"github.com/simdnet/simdnet/internal/hugemem"
)

// bSource says where the micro-kernel reads B from.
type bSource uint8

const (
	bPackPerCall bSource = iota // pack each KC×NC block into the workspace
	bPrepacked                  // PackedB: panels already in place
	bInPlace                    // read B's rows where they are (few rows of A)
	bAuto                       // tests only: no preference (see testBSource)
)

// aSource says where the micro-kernel reads A from.
type aSource uint8

const (
	aPackStrips aSource = iota // APacker/matrixA packs MR-row strips (k step MR)
	aInPlace                   // read A's rows where they are (row stride lda, k step 1)
	aRowBlock                  // a RowPacker copies an MC×KC row-major block (row stride ldBlock)
	aAuto                      // tests only: no preference (see testASource)
)

// job is one validated call, resolved to what the loops need.
type job struct {
	m, n, k int
	// kOff is where the job's depth starts in op(A)'s columns and op(B)'s
	// rows: 0, except for one group of a split-K product (see splitK).
	kOff  int
	beta  float32
	alpha float32

	a      matrixA
	aPack  APacker
	aRows  RowPacker // aPack as a RowPacker, when it is one
	aSrc   aSource
	b      []float32
	ldb    int
	transB bool
	bp     *PackedB
	bSrc   bSource

	c   []float32
	ldc int

	bias     []float32
	res      []float32
	ldr      int
	relu     bool
	kact     Activation // clip or LeakyReLU, applied by the kernels (kactFlag)
	kactFlag uint       // applyClip, applyLeaky or 0
	act      Activation // any other activation, applied after the kernel (applyAct)

	kern *Kernel
}

// lazyBytes is how much B the lazy path packs at a time: enough panels
// that each row of B is read as a run of several cache lines, few enough
// that the packed panels are still in L2 when the strips read them (four
// 12×32 panels at KC = 704, which measured 3-11% faster than half or twice
// as many on the batch-32 stage-5 products).
const lazyBytes = 384 << 10

// workspace holds one goroutine's packing buffers. They are kept between
// calls, so a steady stream of calls allocates nothing. The B block of a
// large product (up to KC×NC, megabytes) is read by every MC block of rows,
// so buffers of 2 MiB and more go in huge pages (2048³: 1.011 one thread,
// 1.021 two, median of 21 alternating rounds).
type workspace struct {
	a, b, tile []float32
	// act is the job's clip or LeakyReLU for the kernels: a copy here,
	// in memory the pool keeps, because the address of a job's own field
	// passed to a kernel through a func value would move every job to the
	// heap.
	act Activation
}

var workspaces = freelist.List[*workspace]{New: func() *workspace { return new(workspace) }}

func grow(buf []float32, n int) []float32 {
	if cap(buf) < n {
		return hugemem.Float32s(n)
	}
	return buf[:n]
}

// fit makes the buffers large enough for blocks of mc×kc of A and kc×nc of
// B read from src. Only B packed per call needs the KC×NC block (megabytes);
// B read in place packs at most its ragged last panel, and pre-packed B no
// panel at all, so neither costs a worker its B block.
func (ws *workspace) fit(kern *Kernel, mc, kc, nc int, src bSource) {
	mr, nr := kern.MR, kern.NR
	// Row blocks take (mc rounded up to MR) rows of ldBlock(kc) values,
	// strips take as many rows of kc values; the larger serves both.
	ws.a = grow(ws.a, (mc+mr-1)/mr*mr*ldBlock(kc))
	ws.b = grow(ws.b, bWorkspace(src, kc, nc, nr))
	ws.tile = grow(ws.tile, mr*nr)
}

// bWorkspace is how many values of B packing space a block of kc×nc needs.
func bWorkspace(src bSource, kc, nc, nr int) int {
	switch src {
	case bPrepacked:
		return 0
	case bInPlace:
		return kc * nr // the ragged last panel, KC×NR: tens of KiB
	}
	return (nc + nr - 1) / nr * nr * kc
}

// ldBlock is the row stride of a row-major A block kc values deep: rounded
// up to whole cache lines, and off multiples of 4 KiB so that the MR rows
// the micro-kernel reads at once do not alias in L1.
func ldBlock(kc int) int {
	ld := (kc + 15) &^ 15
	if ld%1024 == 0 {
		ld += 16
	}
	return ld
}

// run computes the block of C with rows [i0, i1) and columns [j0, j1): the
// five loops of BLIS around the micro-kernel.
func (jb *job) run(ws *workspace, i0, i1, j0, j1 int) {
	kern := jb.kern
	mr, nr := kern.MR, kern.NR
	kcStep := balancedKC(jb.k, kern.KC)
	ws.act = jb.kact
	ws.fit(kern, min(kern.MC, i1-i0), kcStep, min(kern.NC, j1-j0), jb.bSrc)
	for jc := j0; jc < j1; jc += kern.NC { // loop 5: NC columns of B and C
		nc := min(kern.NC, j1-jc)
		for pc := 0; pc < jb.k; pc += kcStep { // loop 4: KC deep slices
			kc := min(kcStep, jb.k-pc)
			first, last := pc == 0, pc+kc == jb.k
			pa := pc + jb.kOff // the slice's depth in A and B
			// With one MC block of rows, no packed B panel is reused
			// across blocks: each is packed just before its strips run, so
			// it is still in L1/L2 when they read it, rather than packing
			// the whole KC×NC block first (MBs, evicted before use).
			lazyB := jb.bSrc == bPackPerCall && i1-i0 <= kern.MC
			lazyPanels := max(1, lazyBytes/(kc*nr*4))
			if jb.bSrc == bPackPerCall && !lazyB {
				packB(ws.b, jb.b, jb.ldb, jb.transB, pa, kc, jc, nc, nr)
			}
			for ic := i0; ic < i1; ic += kern.MC { // loop 3: MC rows of A
				mc := min(kern.MC, i1-ic)
				// The A strip for rows [ic+ir, ic+ir+MR) starts at
				// aBase[ir*stripRow] and is read with row stride aRS and
				// k step aKS. Rows from full on form one packed,
				// zero-padded edge strip at the start of ws.a.
				var aBase []float32
				var aRS, aKS, stripRow int
				full := mc // rows served from aBase; the rest is one packed edge strip
				switch jb.aSrc {
				case aInPlace:
					aBase = jb.a.data[ic*jb.a.ld+pa:]
					aRS, aKS, stripRow = jb.a.ld, 1, jb.a.ld
					if full = mc / mr * mr; full < mc {
						// Reading MR rows in place would run past A's last row.
						jb.a.PackA(ws.a[:mr*kc], ic+full, mc-full, pa, kc, mr)
					}
				case aRowBlock:
					ld := ldBlock(kc)
					rows := (mc + mr - 1) / mr * mr
					if jb.aRows != nil {
						jb.aRows.PackRows(ws.a[:rows*ld], ld, ic, mc, pa, kc)
						if jb.alpha != 1 {
							scaleA(ws.a[:mc*ld], jb.alpha)
						}
					} else {
						jb.a.PackRows(ws.a[:rows*ld], ld, ic, mc, pa, kc) // scales as it copies
					}
					clear(ws.a[mc*ld : rows*ld])
					aBase = ws.a
					aRS, aKS, stripRow = ld, 1, ld
				default:
					jb.packA(ws.a, ic, mc, pa, kc, mr)
					aBase = ws.a
					aRS, aKS, stripRow = 1, mr, kc
				}
				for jr := 0; jr < nc; jr += nr { // loop 2: NR-wide panels of B
					cols := min(nr, nc-jr)
					if lazyB && (jr/nr)%lazyPanels == 0 {
						packB(ws.b[jr*kc:], jb.b, jb.ldb, jb.transB, pa, kc, jc+jr, min(lazyPanels*nr, nc-jr), nr)
					}
					bPanel, bStride := jb.bPanel(ws, pa, kc, jc, jr, cols)
					// Each strip prefetches its share (values) of the next panel.
					next := jb.nextPanel(ws, pa, kc, jc, jr, nc, lazyB, ic+kern.MC < i1)
					if next == nil {
						next = bPanel
					}
					share := (len(next) + strips(mc, mr) - 1) / strips(mc, mr)
					for ir := 0; ir < mc; ir += mr { // loop 1: MR-tall strips of A
						rows := min(mr, mc-ir)
						bNext := next[min(ir/mr*share, len(next)-1):]
						if ir >= full {
							jb.tile(ws, ws.a, 1, mr, bPanel, bStride, kc, ic+ir, jc+jr, rows, cols, first, last, bNext)
							continue
						}
						jb.tile(ws, aBase[ir*stripRow:], aRS, aKS, bPanel, bStride, kc, ic+ir, jc+jr, rows, cols, first, last, bNext)
					}
				}
			}
		}
	}
}

// balancedKC splits depth k into as few slices of at most kcMax as
// possible, of nearly equal depth (a multiple of 8 where that still keeps
// the count), so that no slice is a short remainder: k = 576 with KC = 384
// runs as 288 + 288, not 384 + 192, and every kernel call amortises its C
// tile's load and store over a deep loop.
func balancedKC(k, kcMax int) int {
	if k <= kcMax {
		return k
	}
	slices := (k + kcMax - 1) / kcMax
	kc := (k + slices - 1) / slices
	if up := (kc + 7) &^ 7; up <= kcMax && (k+up-1)/up == slices {
		kc = up
	}
	return kc
}

func (jb *job) packA(dst []float32, i0, mc, p0, kc, mr int) {
	dst = dst[:(mc+mr-1)/mr*mr*kc]
	if jb.aPack == nil {
		jb.a.PackA(dst, i0, mc, p0, kc, mr)
		return
	}
	jb.aPack.PackA(dst, i0, mc, p0, kc, mr)
	if jb.alpha != 1 {
		scaleA(dst, jb.alpha)
	}
}

// strips is the number of MR-row strips in mc rows.
func strips(mc, mr int) int { return (mc + mr - 1) / mr }

// nextPanel returns the part of B, kc rows deep, that the strips read after
// those of panel jr, for the kernels to prefetch into L2 (see microKernel's
// bNext): the next panel of the block, or the block's first one when more
// rows of A follow. A panel comes from L3 or memory when it was packed or
// pre-packed long before; the prefetch hides that latency while the strips
// of the current panel run. It returns nil for B read in place, whose rows
// are not contiguous, and for B packed lazily, whose next panels are packed
// (and so brought into L2) just before they are read.
func (jb *job) nextPanel(ws *workspace, pc, kc, jc, jr, nc int, lazy, moreRows bool) []float32 {
	nr := jb.kern.NR
	next := jr + nr
	if next >= nc {
		if !moreRows {
			return nil
		}
		next = 0
	}
	switch {
	case jb.bSrc == bPrepacked:
		return jb.bp.panel((jc+next)/nr, pc)[:kc*nr]
	case jb.bSrc == bPackPerCall && !lazy:
		return ws.b[next*kc : next*kc+kc*nr]
	}
	return nil
}

// bPanel returns the B panel for columns [jc+jr, jc+jr+cols) at depth pc and
// the stride between its rows.
func (jb *job) bPanel(ws *workspace, pc, kc, jc, jr, cols int) ([]float32, int) {
	nr := jb.kern.NR
	switch jb.bSrc {
	case bPrepacked:
		return jb.bp.panel((jc+jr)/nr, pc), nr
	case bInPlace:
		if cols == nr {
			return jb.b[pc*jb.ldb+jc+jr:], jb.ldb
		}
		// Reading a full NR columns in place would run past B's last
		// column, so the ragged edge panel is packed, zero-padded.
		packB(ws.b, jb.b, jb.ldb, false, pc, kc, jc+jr, cols, nr)
		return ws.b[:kc*nr], nr
	default:
		return ws.b[jr*kc : jr*kc+kc*nr], nr
	}
}

// tile runs the micro-kernel for the rows×cols tile of C at (i, j). The
// first KC slice brings in beta·C and the residual, the last one adds the
// bias and applies the activation, so each is done once per element.
func (jb *job) tile(ws *workspace, a []float32, aRS, aKS int, b []float32, bStride, kc, i, j, rows, cols int, first, last bool, bNext []float32) {
	kern := jb.kern
	ldc := jb.ldc
	c := jb.c[i*ldc+j:]
	var flags uint
	var res []float32
	switch {
	case !first:
		flags |= accumulate
	case jb.beta == 0 && jb.res != nil:
		// The common case of a residual block: the kernel adds it.
		flags |= addResidual
		res = jb.res[i*jb.ldr+j:]
	case jb.beta != 0 || jb.res != nil:
		jb.prepareC(c, i, j, rows, cols)
		flags |= accumulate
	}
	var bias []float32
	if last {
		if jb.bias != nil {
			flags |= addBias
			bias = jb.bias[j:]
		}
		if jb.relu {
			flags |= applyReLU
		}
		flags |= jb.kactFlag
	}
	// A kernel that masks its columns runs a narrow tile in place.
	inPlace := cols == kern.NR || kern.ragged
	if cols < kern.NR && kern.ragged {
		flags |= uint(kern.NR-cols) << colSkipShift
	}
	if rows == kern.MR && inPlace {
		kern.fn(kc, a, aRS, aKS, b, bStride, c, ldc, res, jb.ldr, bias, flags, bNext, &ws.act)
		if last {
			jb.applyAct(c, rows, cols)
		}
		return
	}

	// Edge tile. A strip of at most 8 rows runs the 4-row kernel once or
	// twice, if the kernel has one, rather than the full MR rows.
	fn, mr := kern.fn, kern.MR
	if kern.edge4 != nil && rows <= 8 {
		fn, mr = kern.edge4, 4
	}
	for r0 := 0; r0 < rows; r0 += mr {
		sub := min(mr, rows-r0)
		ar, cr := a[r0*aRS:], c[r0*ldc:]
		var rr []float32
		if res != nil {
			rr = res[r0*jb.ldr:]
		}
		if sub == mr && inPlace {
			fn(kc, ar, aRS, aKS, b, bStride, cr, ldc, rr, jb.ldr, bias, flags, bNext, &ws.act)
			continue
		}
		// Compute the whole tile into the workspace, then store only the
		// part that lies inside C.
		fn(kc, ar, aRS, aKS, b, bStride, ws.tile, kern.NR, nil, 0, nil, 0, bNext, nil)
		for r := 0; r < sub; r++ {
			finishRow(ws.tile[r*kern.NR:r*kern.NR+cols], cr[r*ldc:r*ldc+cols], resRow(rr, r, jb.ldr, cols, flags), bias, flags, &ws.act)
		}
	}
	if last {
		jb.applyAct(c, rows, cols)
	}
}

// prepareC replaces the rows×cols tile of C at (i, j) with beta·C + R, so
// that the micro-kernel can accumulate into it, when beta is not 0.
func (jb *job) prepareC(c []float32, i, j, rows, cols int) {
	for r := 0; r < rows; r++ {
		row := c[r*jb.ldc : r*jb.ldc+cols]
		var res []float32
		if jb.res != nil {
			res = jb.res[(i+r)*jb.ldr+j : (i+r)*jb.ldr+j+cols]
		}
		switch {
		case jb.beta == 0 && res != nil:
			copy(row, res) // the common case of a residual block: one memmove
			continue
		case jb.beta == 0:
			clear(row)
		case jb.beta != 1:
			for x := range row {
				row[x] *= jb.beta
			}
		}
		for x, v := range res {
			row[x] += v
		}
	}
}

// noProduct handles k == 0 or alpha == 0, where A and B are not read (as in
// BLAS) and only beta·C, the bias, the residual and the activation remain.
func (jb *job) noProduct() {
	for i := 0; i < jb.m; i++ {
		row := jb.c[i*jb.ldc : i*jb.ldc+jb.n]
		jb.prepareC(row, i, 0, 1, jb.n)
		var flags uint = accumulate
		if jb.bias != nil {
			flags |= addBias
		}
		if jb.relu {
			flags |= applyReLU
		}
		finishRowInPlace(row, jb.bias, flags|jb.kactFlag, &jb.kact)
		jb.applyAct(row, 1, jb.n)
	}
}

// finishRowInPlace applies bias, ReLU, clip and LeakyReLU to a row of C.
func finishRowInPlace(row, bias []float32, flags uint, act *Activation) {
	if flags&addBias != 0 {
		bias = bias[:len(row)]
		for j := range row {
			row[j] += bias[j]
		}
	}
	if flags&applyReLU != 0 {
		for j := range row {
			row[j] = max(row[j], 0)
		}
	}
	finishAct(row, flags, act)
}
