package ops

import "sync"

// scratch recycles small float32 buffers (per-channel factors and the like)
// so that forward passes do not allocate in steady state.
var scratch = sync.Pool{New: func() any { return new([]float32) }}

func getScratch(n int) *[]float32 {
	buf := scratch.Get().(*[]float32)
	if cap(*buf) < n {
		*buf = make([]float32, n)
	}
	*buf = (*buf)[:n]
	return buf
}

func putScratch(buf *[]float32) { scratch.Put(buf) }
