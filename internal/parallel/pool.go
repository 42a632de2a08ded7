package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/simdnet/simdnet/internal/freelist"
)

// Task is work that several goroutines share: Do calls Work on the caller's
// goroutine and on up to n helpers at once, and Work takes pieces of the
// task (from an atomic counter, say) until none is left. Work must return
// once every piece is taken, whoever took it.
type Task interface {
	Work()
}

// SpinFor is how long an idle helper keeps polling for the next task before
// it parks. A network's forward pass issues its products and element-wise
// loops back to back, a few tens of microseconds apart; a parked helper
// costs each of them a futex wake-up and a trip through the scheduler's run
// queues, which on a virtual machine takes about as long as a small product
// itself. Polling keeps the hand-off to a few hundred nanoseconds, the way
// OpenMP runtimes and ONNX Runtime's thread pool do. Zero parks at once.
// Atomic because tests change it while helpers read it.
var SpinFor atomic.Int64 // nanoseconds

func init() { SpinFor.Store(int64(200 * time.Microsecond)) }

// call is one Do in flight: the task and the helpers still on it.
type call struct {
	task    Task
	pending atomic.Int32
}

var calls = freelist.List[*call]{New: func() *call { return new(call) }}

// Do runs task.Work on the calling goroutine and on up to helpers helper
// goroutines, and returns when all of them have returned. Helpers busy with
// another goroutine's task are skipped, and one that has not started by the
// time the caller's Work returns is called off, so Do never waits for work
// it could do itself. It allocates nothing in steady state.
func Do(task Task, helpers int) {
	if helpers <= 0 {
		task.Work()
		return
	}
	c := calls.Get()
	c.task = task
	ws := workersFor(helpers)
	c.pending.Store(int32(len(ws)))
	for _, w := range ws {
		if !w.post(c) {
			c.pending.Add(-1)
		}
	}
	task.Work()
	for _, w := range ws {
		if w.job.CompareAndSwap(c, nil) {
			c.pending.Add(-1)
		}
	}
	// The helpers' last pieces end about when the caller's do, so wait by
	// polling, yielding the processor to a helper that is runnable but not
	// running.
	for i := 0; c.pending.Load() > 0; i++ {
		if i%16 == 15 {
			runtime.Gosched()
		}
	}
	c.task = nil
	calls.Put(c)
}

// worker is one long-lived helper goroutine and its mailbox.
type worker struct {
	job   atomic.Pointer[call]
	state atomic.Int32  // workerPolling or workerParked
	wake  chan struct{} // a token for a parked worker, buffered 1
}

const (
	workerPolling = iota
	workerParked
)

// The workers live as long as the process, like the runtime's own threads;
// there are never more of them than the largest helper count asked for.
// Starting goroutines per call instead would allocate their closures.
var (
	workersMu sync.Mutex
	workers   atomic.Pointer[[]*worker]
)

// workersFor returns n workers, starting any that do not exist yet.
func workersFor(n int) []*worker {
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

// post hands c to the worker, waking it if it has parked. It fails when the
// mailbox still holds another caller's task.
func (w *worker) post(c *call) bool {
	if !w.job.CompareAndSwap(nil, c) {
		return false
	}
	if w.state.CompareAndSwap(workerParked, workerPolling) {
		w.wake <- struct{}{}
	}
	return true
}

func (w *worker) loop() {
	for {
		if c := w.job.Swap(nil); c != nil {
			c.task.Work()
			c.pending.Add(-1)
			continue
		}
		if w.poll() {
			continue
		}
		// Park. Recheck the mailbox after announcing it, so that a task
		// posted in between is not left waiting: whoever moves the state
		// back to polling (this goroutine or post) decides whether a wake
		// token is on its way.
		w.state.Store(workerParked)
		if w.job.Load() != nil && w.state.CompareAndSwap(workerParked, workerPolling) {
			continue
		}
		<-w.wake
	}
}

// polling counts the workers polling right now.
var polling atomic.Int32

// poll waits up to SpinFor for a task, yielding the processor now and then
// so that goroutines waiting for it (the caller among them) still run. Only
// as many workers poll as there are processors besides the caller's: more
// would take turns on the same processors and slow down the work itself.
func (w *worker) poll() bool {
	limit := time.Duration(SpinFor.Load())
	if limit <= 0 {
		return false
	}
	defer polling.Add(-1)
	if int(polling.Add(1)) >= runtime.GOMAXPROCS(0) {
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
