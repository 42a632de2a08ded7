package ops

import (
	"runtime"
	"sync"
)

// workers is how many goroutines a loop over n items deserves when each
// goroutine should get at least grain items: starting one for less work
// costs more than it saves.
func workers(n, grain int) int {
	return max(1, min(runtime.GOMAXPROCS(0), n/max(grain, 1)))
}

// parallelFor runs body over [0, n) split into workers(n, grain) contiguous
// ranges, one of them on the calling goroutine.
func parallelFor(n, grain int, body func(lo, hi int)) {
	parallelWorkers(workers(n, grain), n, func(_, lo, hi int) { body(lo, hi) })
}

// parallelWorkers splits [0, n) into t contiguous ranges and runs body on
// range w from goroutine w, for callers that keep per-worker partial results.
func parallelWorkers(t, n int, body func(w, lo, hi int)) {
	if n <= 0 {
		return
	}
	if t <= 1 {
		body(0, 0, n)
		return
	}
	var wg sync.WaitGroup
	for w := 1; w < t; w++ {
		wg.Go(func() { body(w, n*w/t, n*(w+1)/t) })
	}
	body(0, 0, n/t)
	wg.Wait()
}

// grainFor is the number of items, each touching itemSize values, that make
// one goroutine's worth of work.
func grainFor(itemSize int) int {
	const minWork = 1 << 15
	return max(1, minWork/max(itemSize, 1))
}
