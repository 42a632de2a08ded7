package gemm

import (
	"runtime"
	"sync"

	"github.com/simdnet/simdnet/internal/freelist"
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

// sharedJob is a job split between goroutines. Each takes a band of C rows,
// or of C columns when A has too few rows to go round, and runs the whole
// loop nest on it with its own workspace. Bands never share a C element, so
// the result does not depend on the number of goroutines.
type sharedJob struct {
	job
	threads int
	byRows  bool
	done    sync.WaitGroup
}

// part runs band w of the job.
func (sj *sharedJob) part(w int) {
	ws := workspaces.Get()
	kern := sj.kern
	if sj.byRows {
		if lo, hi := split(sj.m, kern.MR, sj.threads, w); lo < hi {
			sj.run(ws, lo, hi, 0, sj.n)
		}
	} else if lo, hi := split(sj.n, kern.NR, sj.threads, w); lo < hi {
		sj.run(ws, 0, sj.m, lo, hi)
	}
	workspaces.Put(ws)
}

// Shared jobs are pooled and handed to long-lived workers over a channel, so
// that a multi-threaded call allocates nothing either: starting goroutines
// per call would allocate their closures.
var (
	sharedJobs = freelist.List[*sharedJob]{New: func() *sharedJob { return new(sharedJob) }}
	bands      = make(chan band)
	workersMu  sync.Mutex
	workers    int
)

// band is one goroutine's share of a shared job.
type band struct {
	sj *sharedJob
	w  int
}

// ensureWorkers starts workers until at least n exist. They live as long as
// the process, idle on the channel, like the runtime's own worker threads;
// their number never exceeds the largest thread count ever asked for.
func ensureWorkers(n int) {
	workersMu.Lock()
	for ; workers < n; workers++ {
		go func() {
			for b := range bands {
				b.sj.part(b.w)
				b.sj.done.Done()
			}
		}()
	}
	workersMu.Unlock()
}

// runParallel spreads the job over t goroutines, the caller's among them.
func runParallel(jb *job, t int) {
	sj := sharedJobs.Get()
	sj.job = *jb
	sj.threads = t
	sj.byRows = (jb.m+jb.kern.MR-1)/jb.kern.MR >= 4*t || jb.m >= jb.n
	ensureWorkers(t - 1)
	sj.done.Add(t - 1)
	for w := 1; w < t; w++ {
		bands <- band{sj, w}
	}
	sj.part(0)
	sj.done.Wait()
	sj.job = job{} // drop references to the caller's matrices
	sharedJobs.Put(sj)
}
