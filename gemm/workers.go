package gemm

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// spinFor is how long an idle worker keeps polling for the next product
// before it parks. A network's forward pass issues its products back to
// back, a few tens of microseconds apart; a parked worker costs each of
// them a futex wake-up and a trip through the scheduler's run queues, which
// on a virtual machine takes about as long as a small product itself.
// Polling keeps the hand-off to a few hundred nanoseconds, the way OpenMP
// runtimes and ONNX Runtime's thread pool do. Zero parks at once (tests).
// Atomic because tests change it while workers read it.
var spinFor atomic.Int64 // nanoseconds

func init() { spinFor.Store(int64(200 * time.Microsecond)) }

// worker is one long-lived helper goroutine and its mailbox.
type worker struct {
	job   atomic.Pointer[sharedJob]
	state atomic.Int32  // workerSpinning or workerParked
	wake  chan struct{} // a token for a parked worker, buffered 1
}

const (
	workerSpinning = iota
	workerParked
)

// The workers live as long as the process, like the runtime's own threads;
// there are never more of them than the largest thread count asked for,
// less one (the caller works too). Starting goroutines per call instead
// would allocate their closures.
var (
	workersMu sync.Mutex
	workers   atomic.Pointer[[]*worker]
)

// helpersFor returns n workers, starting any that do not exist yet.
func helpersFor(n int) []*worker {
	if ws := workers.Load(); ws != nil && len(*ws) >= n {
		return (*ws)[:n]
	}
	workersMu.Lock()
	defer workersMu.Unlock()
	var ws []*worker
	if p := workers.Load(); p != nil {
		ws = *p
	}
	for len(ws) < n {
		w := &worker{wake: make(chan struct{}, 1)}
		ws = append(ws, w)
		go w.loop()
	}
	workers.Store(&ws)
	return ws[:n]
}

// post hands sj to the worker, waking it if it has parked. It fails when
// the mailbox still holds another caller's job: products run from several
// goroutines at once share the workers, and whoever finds them taken does
// the work itself.
func (w *worker) post(sj *sharedJob) bool {
	if !w.job.CompareAndSwap(nil, sj) {
		return false
	}
	if w.state.CompareAndSwap(workerParked, workerSpinning) {
		w.wake <- struct{}{}
	}
	return true
}

func (w *worker) loop() {
	for {
		if sj := w.job.Swap(nil); sj != nil {
			sj.work()
			sj.pending.Add(-1)
			continue
		}
		if w.poll() {
			continue
		}
		// Park. Recheck the mailbox after announcing it, so that a job
		// posted in between is not left waiting: whoever moves the state
		// back to spinning (this goroutine or post) is the one that
		// decides whether a wake token is on its way.
		w.state.Store(workerParked)
		if w.job.Load() != nil && w.state.CompareAndSwap(workerParked, workerSpinning) {
			continue
		}
		<-w.wake
	}
}

// spinning counts the workers polling right now.
var spinning atomic.Int32

// poll waits up to spinFor for a job, yielding the processor now and then
// so that goroutines waiting for it (the caller among them) still run. Only
// as many workers poll as there are processors besides the caller's: more
// would take turns on the same processors and slow down the work itself.
func (w *worker) poll() bool {
	limit := time.Duration(spinFor.Load())
	if limit <= 0 {
		return false
	}
	defer spinning.Add(-1)
	if int(spinning.Add(1)) >= runtime.GOMAXPROCS(0) {
		return false
	}
	start := time.Now()
	for i := 1; ; i++ {
		if w.job.Load() != nil {
			return true
		}
		if i%64 == 0 {
			if time.Since(start) > limit {
				return false
			}
			runtime.Gosched()
		}
	}
}

// waitFor waits until no helper is still working on sj. The caller's last
// band and the helpers' last bands end at about the same time, so it polls,
// yielding the processor so that a helper that is runnable but not running
// gets it.
func waitFor(sj *sharedJob) {
	for i := 0; sj.pending.Load() > 0; i++ {
		if i%16 == 15 {
			runtime.Gosched()
		}
	}
}
