package gemm

import (
	"runtime"
	"sync/atomic"

	"github.com/simdnet/simdnet/internal/freelist"
	"github.com/simdnet/simdnet/internal/parallel"
)

// minFlopsPerThread keeps small products on one goroutine: below it, waking a
// second goroutine costs more than the work it would take over.
const minFlopsPerThread = 1 << 21

// threadsFor picks how many goroutines a product of this size deserves.
func threadsFor(want, m, n, k int, kern *Kernel) int {
	t := want
	if t == 0 {
		t = runtime.GOMAXPROCS(0)
	}
	flops := 2 * float64(m) * float64(n) * float64(k)
	t = min(t, max(1, int(flops/minFlopsPerThread)))
	// There must be a tile for every goroutine.
	tiles := ((m + kern.MR - 1) / kern.MR) * ((n + kern.NR - 1) / kern.NR)
	return max(1, min(t, tiles))
}

// split divides [0, total) into t ranges whose starts are multiples of unit,
// and returns the bounds of range w.
func split(total, unit, t, w int) (lo, hi int) {
	units := (total + unit - 1) / unit
	lo = min(total, (units*w/t)*unit)
	hi = min(total, (units*(w+1)/t)*unit)
	return lo, hi
}

// runSerial runs the whole job on the calling goroutine.
func (jb *job) runSerial() {
	ws := workspaces.Get()
	jb.run(ws, 0, jb.m, 0, jb.n)
	workspaces.Put(ws)
}

// sharedJob is a job split between goroutines. It is cut into bands of C
// rows, or of C columns when that moves less data, and each goroutine takes
// the next band not yet taken until none is left, running the whole loop
// nest on it with its own workspace. Taking bands as they come, rather
// than one fixed share each, keeps both cores busy when one of them runs
// slower (a busy neighbour on a shared machine, a smaller core). Bands
// never share a C element, so the result does not depend on who computes
// which band, nor on the number of goroutines.
type sharedJob struct {
	job
	byRows bool
	bands  int          // how many bands the job is cut into
	next   atomic.Int64 // the next band to take
}

// Work takes bands until none is left (the parallel.Task of the job).
func (sj *sharedJob) Work() {
	ws := workspaces.Get()
	kern := sj.kern
	for {
		b := int(sj.next.Add(1) - 1)
		if b >= sj.bands {
			break
		}
		if sj.byRows {
			if lo, hi := split(sj.m, kern.MR, sj.bands, b); lo < hi {
				sj.run(ws, lo, hi, 0, sj.n)
			}
		} else if lo, hi := split(sj.n, kern.NR, sj.bands, b); lo < hi {
			sj.run(ws, 0, sj.m, lo, hi)
		}
	}
	workspaces.Put(ws)
}

// bandsFor is how many bands a job split between t goroutines gets. More
// bands than goroutines let a fast core take over work from a slow one (a
// busy neighbour on a shared machine), but every band goes through the
// whole operand the bands do not divide, packing it or reading it again,
// so extra bands are allowed only while that stays a small part of a
// band's work: a value re-read costs about as much as rereadFlops
// floating-point operations (a cache-missing load, or a load and a store
// when it is packed), and maxRereadShare bounds the overhead. Large
// products end up with one band per goroutine: measured interleaved on
// 1024³, 128×512×4608 and 512×256×2304, two bands ran 8-30% faster than
// eight; small-k and tall products (conv1, stage 2) keep up to 4t.
func bandsFor(jb *job, byRows bool, t int) int {
	const (
		rereadFlops    = 40
		maxRereadShare = 0.05
	)
	kern := jb.kern
	tiles := (jb.n + kern.NR - 1) / kern.NR
	undivided := float64(jb.m) * float64(jb.k) // column bands go through all of A
	cost := 1.0
	if jb.aSrc != aInPlace {
		cost = 2
	}
	if byRows {
		tiles = (jb.m + kern.MR - 1) / kern.MR
		undivided = float64(jb.k) * float64(jb.n) // row bands go through all of B
		cost = 1
		if jb.bSrc == bPackPerCall {
			cost = 2
		}
	}
	work := 2 * float64(jb.m) * float64(jb.n) * float64(jb.k)
	affordable := int(maxRereadShare * work / (rereadFlops * cost * undivided))
	return max(t, min(tiles, 4*t, affordable))
}

// Shared jobs are pooled, so that a multi-threaded call allocates nothing.
var sharedJobs = freelist.List[*sharedJob]{New: func() *sharedJob { return new(sharedJob) }}

// splitByRows chooses how runParallel divides a job between t goroutines:
// into bands of C rows (true) or of C columns. Each goroutine goes through
// the whole of the operand its bands do not divide: all of B (k×n) with row
// bands, all of A (m×k, once per NC block of its columns) with column bands.
// When both directions have tiles enough for balanced bands (2t or more),
// the one that moves fewer values per goroutine wins, rows on a tie, where
// packing an operand counts twice (read and write) and reading it in place
// once. With B the larger operand, as in a convolution's weight gradient
// (m output channels, n input patch values), column bands stop every
// goroutine packing all of B. With fewer tiles, rows when there are many of
// them or A is the taller operand.
func splitByRows(jb *job, t int) bool {
	kern := jb.kern
	mTiles := (jb.m + kern.MR - 1) / kern.MR
	nTiles := (jb.n + kern.NR - 1) / kern.NR
	if mTiles < 2*t || nTiles < 2*t {
		return mTiles >= 4*t || jb.m >= jb.n
	}
	m, n, k, tf := float64(jb.m), float64(jb.n), float64(jb.k), float64(t)
	aCost, bCost := 2.0, 1.0 // per value: packed, or read where it is
	if jb.aSrc == aInPlace {
		aCost = 1
	}
	if jb.bSrc == bPackPerCall {
		bCost = 2
	}
	ncBlocks := func(cols int) float64 { return float64((cols + kern.NC - 1) / kern.NC) }
	rows := bCost*k*n + aCost*m/tf*k*ncBlocks(jb.n)
	cols := bCost*k*n/tf + aCost*m*k*ncBlocks((jb.n+t-1)/t)
	return rows <= cols
}

// runParallel spreads the job over t goroutines, the caller's among them.
func runParallel(jb *job, t int) {
	sj := sharedJobs.Get()
	sj.job = *jb
	sj.byRows = splitByRows(jb, t)
	sj.bands = bandsFor(jb, sj.byRows, t)
	sj.next.Store(0)
	parallel.Do(sj, t-1)
	sj.job = job{} // drop references to the caller's matrices
	sharedJobs.Put(sj)
}
