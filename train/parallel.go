package train

import (
	"runtime"
	"sync"
)

// minWork is the number of values that makes one goroutine's worth of
// elementwise work: below it, waking a goroutine costs more than it saves.
const minWork = 1 << 15

// grainFor is how many items, each touching itemSize values, make one
// goroutine's worth of work.
func grainFor(itemSize int) int { return max(1, minWork/max(itemSize, 1)) }

// parallelFor runs body over [0, n) split into up to GOMAXPROCS contiguous
// ranges of at least grain items, one of them on the calling goroutine. It
// is for work whose result does not depend on how it is split.
func parallelFor(n, grain int, body func(lo, hi int)) {
	if n <= 0 {
		return
	}
	t := max(1, min(runtime.GOMAXPROCS(0), n/max(grain, 1)))
	if t == 1 {
		body(0, n)
		return
	}
	var wg sync.WaitGroup
	for w := 1; w < t; w++ {
		wg.Go(func() { body(n*w/t, n*(w+1)/t) })
	}
	body(0, n/t)
	wg.Wait()
}

// forChunks cuts [0, n) into chunks of size chunk (the last one shorter)
// and runs body(c, lo, hi) for every chunk c, spreading whole chunks over
// the goroutines; itemSize is the number of values one item touches.
// Reductions write one partial result per chunk and combine
// them in chunk order afterwards: since the chunks depend only on n and
// chunk, the sums are the same bits whatever the number of goroutines.
func forChunks(n, chunk, itemSize int, body func(c, lo, hi int)) {
	chunks := numChunks(n, chunk)
	parallelFor(chunks, grainFor(chunk*itemSize), func(c0, c1 int) {
		for c := c0; c < c1; c++ {
			body(c, c*chunk, min(n, (c+1)*chunk))
		}
	})
}

// numChunks is how many chunks forChunks makes of [0, n).
func numChunks(n, chunk int) int { return (n + chunk - 1) / chunk }
