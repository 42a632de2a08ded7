package gemm

import (
	"runtime"
	"sync"
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
	ws := workspaces.Get().(*workspace)
	jb.run(ws, 0, jb.m, 0, jb.n)
	workspaces.Put(ws)
}

// runParallel spreads the job over t goroutines (the caller's among them).
// Each takes a band of C rows, or of C columns when A has too few rows to go
// round, and runs the whole loop nest on it with its own workspace. The job
// is passed by value so that only this path moves it to the heap.
func runParallel(jb job, t int) {
	kern := jb.kern
	byRows := (jb.m+kern.MR-1)/kern.MR >= 4*t || jb.m >= jb.n
	part := func(w int) {
		ws := workspaces.Get().(*workspace)
		if byRows {
			lo, hi := split(jb.m, kern.MR, t, w)
			if lo < hi {
				jb.run(ws, lo, hi, 0, jb.n)
			}
		} else {
			lo, hi := split(jb.n, kern.NR, t, w)
			if lo < hi {
				jb.run(ws, 0, jb.m, lo, hi)
			}
		}
		workspaces.Put(ws)
	}
	var wg sync.WaitGroup
	wg.Add(t - 1)
	for w := 1; w < t; w++ {
		go func() {
			defer wg.Done()
			part(w)
		}()
	}
	part(0)
	wg.Wait()
}
