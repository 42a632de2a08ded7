// Package parallel spreads work over the cores: a pool of long-lived
// helper goroutines (Do) that gemm hands its bands to, and the loop
// splitters that the element-wise and pooling work of ops and train use.
// Sharing one pool keeps the helpers that poll for gemm's next product from
// sitting on a processor that another loop's goroutines are waiting for.
package parallel

import (
	"runtime"
	"sync/atomic"

	"github.com/simdnet/simdnet/internal/freelist"
)

// MinWork is the number of values that makes one goroutine's worth of
// element-wise work: below it, waking a goroutine costs more than it saves.
const MinWork = 1 << 15

// Grain is how many items, each touching itemSize values, make one
// goroutine's worth of work.
func Grain(itemSize int) int { return max(1, MinWork/max(itemSize, 1)) }

// Workers is how many goroutines a loop over n items deserves when each
// should get at least grain items.
func Workers(n, grain int) int {
	return max(1, min(runtime.GOMAXPROCS(0), n/max(grain, 1)))
}

// For runs body over [0, n) split into Workers(n, grain) contiguous ranges,
// spread over the calling goroutine and the pool's helpers (see Split). It
// is for work whose result does not depend on how it is split.
func For(n, grain int, body func(lo, hi int)) {
	Split(Workers(n, grain), n, func(_, lo, hi int) { body(lo, hi) })
}

// Split cuts [0, n) into t contiguous ranges and runs body(w, lo, hi) for
// every range w, spread over the calling goroutine and t-1 helpers of the
// pool (see Do), for callers that keep one partial result per range. A
// goroutine may run several ranges, one after the other.
func Split(t, n int, body func(w, lo, hi int)) {
	if n <= 0 {
		return
	}
	if t <= 1 {
		body(0, 0, n)
		return
	}
	st := splits.Get()
	st.t, st.n, st.body = t, n, body
	st.next.Store(0)
	Do(st, t-1)
	st.body = nil
	splits.Put(st)
}

// splitTask is Split's task: ranges taken in order from a counter.
type splitTask struct {
	t, n int
	body func(w, lo, hi int)
	next atomic.Int64
}

var splits = freelist.List[*splitTask]{New: func() *splitTask { return new(splitTask) }}

func (st *splitTask) Work() {
	for {
		w := int(st.next.Add(1) - 1)
		if w >= st.t {
			return
		}
		st.body(w, st.n*w/st.t, st.n*(w+1)/st.t)
	}
}

// Chunks cuts [0, n) into chunks of size chunk (the last one shorter) and
// runs body(c, lo, hi) for every chunk c, spreading whole chunks over the
// goroutines; itemSize is the number of values one item touches. Reductions
// that write one partial result per chunk and combine them in chunk order
// get the same bits whatever the number of goroutines, since the chunks
// depend only on n and chunk.
func Chunks(n, chunk, itemSize int, body func(c, lo, hi int)) {
	For(NumChunks(n, chunk), Grain(chunk*itemSize), func(c0, c1 int) {
		for c := c0; c < c1; c++ {
			body(c, c*chunk, min(n, (c+1)*chunk))
		}
	})
}

// NumChunks is how many chunks Chunks makes of [0, n).
func NumChunks(n, chunk int) int { return (n + chunk - 1) / chunk }
