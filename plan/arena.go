package plan

import (
	"sync"
	"time"

	"github.com/simdnet/simdnet/im2col"
)

// DefaultArenaIdle is how long a plan keeps an arena no run has used before
// it lets the memory go (Options.ArenaIdle).
const DefaultArenaIdle = 30 * time.Second

// arena is one run's memory: the intermediate tensors and the im2col packers.
type arena struct {
	buf      []float32
	packers  []im2col.Packer
	batch    int         // images the current step computes (a chunk's, in the prefix)
	whole    int         // images in the caller's batch
	start    int         // first image of the current chunk
	x, y     []float32   // the caller's input and output for this run
	srcs     [][]float32 // a kernel step's inputs
	patchers []patchPacker
	scalers  []scaledRows
	scratch  []float32 // the depthwise steps', one part per goroutine
	dw       dwTask

	used time.Time // when a run last gave it back
	peak int       // the most floats a run needed of it since the last trim
}

// arenaPool keeps the arenas of finished runs for the next ones, so a steady
// stream of calls allocates nothing, and lets go of the memory a server no
// longer needs: an arena no run has taken for the idle period is dropped
// (the extra arenas of a burst of concurrent calls), and one whose buffer
// is larger than any run of the period needed is cut to that size (the
// arena of a batch size no longer used). A timer does the trimming, so an
// idle server lets go too; it runs only while the pool holds arenas.
//
// Arenas are taken most recently used first, which keeps the fewest warm.
type arenaPool struct {
	idle     time.Duration // <= 0: keep arenas for ever
	shape    arenaShape
	mu       sync.Mutex
	free     []*arena // most recently used last
	timer    *time.Timer
	armed    bool
	released bool
}

// arenaShape is what every arena of a plan holds besides its buffer.
type arenaShape struct {
	packers, patchers int // im2col and grouped-convolution packers
	scalers           int // channel-scaled operands
	reads             int // the most values a step reads
	scratch           int // floats of depthwise scratch
}

func newArenaPool(idle time.Duration, shape arenaShape) *arenaPool {
	ap := &arenaPool{idle: idle, shape: shape}
	if idle > 0 {
		ap.timer = time.AfterFunc(time.Hour, ap.trim)
		ap.timer.Stop()
	}
	return ap
}

// get takes an arena whose buffer holds need floats.
func (ap *arenaPool) get(need int) *arena {
	ap.mu.Lock()
	var ar *arena
	if n := len(ap.free); n > 0 {
		ar = ap.free[n-1]
		ap.free[n-1] = nil
		ap.free = ap.free[:n-1]
	}
	ap.mu.Unlock()
	if ar == nil {
		sh := &ap.shape
		ar = &arena{packers: make([]im2col.Packer, sh.packers), patchers: make([]patchPacker, sh.patchers), scalers: make([]scaledRows, sh.scalers),
			srcs: make([][]float32, sh.reads), scratch: make([]float32, sh.scratch)}
	}
	if cap(ar.buf) < need {
		ar.buf = make([]float32, need)
	}
	ar.peak = max(ar.peak, need)
	return ar
}

// put gives an arena back after a run.
func (ap *arenaPool) put(ar *arena) {
	ar.x, ar.y = nil, nil
	clear(ar.patchers) // they point into this run's tensors
	clear(ar.scalers)
	ar.used = time.Now()
	ap.mu.Lock()
	defer ap.mu.Unlock()
	if ap.released {
		return
	}
	ap.free = append(ap.free, ar)
	if ap.timer != nil && !ap.armed {
		ap.armed = true
		ap.timer.Reset(ap.idle)
	}
}

// trim drops the arenas unused for the idle period and cuts the others to
// the most their runs needed in it; it rearms the timer while arenas remain.
func (ap *arenaPool) trim() {
	now := time.Now()
	ap.mu.Lock()
	defer ap.mu.Unlock()
	ap.armed = false
	if ap.released {
		return
	}
	keep := ap.free[:0]
	for _, ar := range ap.free {
		if now.Sub(ar.used) >= ap.idle {
			continue
		}
		if ar.peak < cap(ar.buf) {
			ar.buf = make([]float32, ar.peak)
		}
		ar.peak = 0
		keep = append(keep, ar)
	}
	clear(ap.free[len(keep):])
	ap.free = keep
	if len(ap.free) > 0 {
		ap.armed = true
		ap.timer.Reset(ap.idle)
	}
}

// release drops every arena and stops the timer; arenas given back later
// are dropped too.
func (ap *arenaPool) release() {
	ap.mu.Lock()
	defer ap.mu.Unlock()
	ap.released = true
	if ap.timer != nil {
		ap.timer.Stop()
	}
	clear(ap.free)
	ap.free = nil
}

// idleBytes is the memory of the arenas waiting for a run.
func (ap *arenaPool) idleBytes() int {
	ap.mu.Lock()
	defer ap.mu.Unlock()
	n := 0
	for _, ar := range ap.free {
		n += 4 * cap(ar.buf)
	}
	return n
}
