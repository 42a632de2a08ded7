package plan

import (
	"runtime"
	"sync/atomic"

	"github.com/simdnet/simdnet/internal/parallel"
)

// dwRowsPerTask is how many output rows one goroutine takes at a time from
// a depthwise step: a few rows keep the input rows they share in cache.
const dwRowsPerTask = 4

// dwTask spreads a depthwise step's output rows (image, row) over the
// calling goroutine and the pool's helpers. Each arena holds one, so a run
// allocates nothing; each participant takes its own scratch.
type dwTask struct {
	s        *step
	dst, src []float32
	in, out  int // values per sample
	rows     int // output rows of the batch
	scratch  []float32
	scrLen   int
	next     atomic.Int64
	worker   atomic.Int64
}

func (t *dwTask) Work() {
	w := int(t.worker.Add(1) - 1)
	scratch := t.scratch[w*t.scrLen : (w+1)*t.scrLen]
	s := t.s
	g := s.dw.Geometry()
	ld, oh, ow := s.ld(), g.OutH(), g.OutW()
	for {
		lo := int(t.next.Add(dwRowsPerTask) - dwRowsPerTask)
		if lo >= t.rows {
			return
		}
		for r := lo; r < min(lo+dwRowsPerTask, t.rows); r++ {
			i, oy := r/oh, r%oh
			s.dw.Row(t.dst[i*t.out+oy*ow*ld+s.outOff:], ld, t.src[i*t.in:(i+1)*t.in], oy, scratch)
		}
	}
}

// workers is how many goroutines a plan's own loops use: Options.Threads,
// or GOMAXPROCS.
func (p *Plan) workers() int {
	if p.opts.Threads > 0 {
		return p.opts.Threads
	}
	return runtime.GOMAXPROCS(0)
}

// runDepthwise convolves the batch's output rows on up to Threads
// goroutines, then applies what the kernels do not cover of the
// activation.
func (s *step) runDepthwise(p *Plan, ar *arena, dst []float32) {
	src := p.slice(ar, s.reads[0])
	g := s.dw.Geometry()
	t := &ar.dw
	*t = dwTask{s: s, dst: dst, src: src, in: len(src) / ar.batch, out: len(dst) / ar.batch,
		rows: ar.batch * g.OutH(), scratch: ar.scratch, scrLen: s.dw.ScratchLen()}
	work := t.rows * g.OutW() * s.filters * g.KH * g.KW
	goroutines := min(p.workers(), work/parallel.MinWork, (t.rows+dwRowsPerTask-1)/dwRowsPerTask)
	if t.scrLen > 0 {
		goroutines = min(goroutines, len(ar.scratch)/t.scrLen) // scratch for as many as Compile saw
	}
	parallel.Do(t, goroutines-1)
	*t = dwTask{}
	s.applyRest(dst[s.outOff:], len(dst)/s.ld())
}
