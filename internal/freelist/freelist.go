// Package freelist keeps large reusable buffers between calls.
//
// sync.Pool empties itself at every other garbage collection, which suits
// small objects but not the megabytes of packing buffers and activation
// arenas that simdnet reuses: a server with other garbage would reallocate
// them again and again. A List keeps the items it is given while they are
// in use now and then, so it holds about as many as were in use at once
// recently, and lets go of those that sit unused for MaxIdle: a
// long-running server whose load has dropped (fewer concurrent calls, a
// model unloaded) gives that memory back to the garbage collector instead
// of holding its peak for ever.
package freelist

import (
	"sync"
	"time"
)

// DefaultMaxIdle is how long an item may sit in a List unused before the
// list drops it, when the List's MaxIdle is zero. A minute is long against
// the microseconds to milliseconds between the calls of a busy server, and
// short against the hours such a server runs.
const DefaultMaxIdle = time.Minute

// List is a stack of reusable items, safe for concurrent use. The zero
// value is empty and ready; New, if set, makes an item when the list is
// empty.
//
// Get takes the item put back last, so the items in steady use stay at the
// top and those not needed any more sink to the bottom. A timer that runs
// only while the list holds items ticks every MaxIdle and drops the items
// that were put back two ticks or more ago: an item unused for MaxIdle is
// dropped within another MaxIdle.
type List[T any] struct {
	New     func() T
	MaxIdle time.Duration // 0: DefaultMaxIdle

	mu    sync.Mutex
	items []entry[T] // oldest at the bottom: tick stamps never decrease upwards
	tick  uint64     // ticks of the timer so far
	timer *time.Timer
	armed bool // the timer will tick again
}

type entry[T any] struct {
	item T
	tick uint64 // l.tick when the item was put back
}

// Get takes an item from the list, or makes one.
func (l *List[T]) Get() T {
	l.mu.Lock()
	if n := len(l.items); n > 0 {
		it := l.items[n-1].item
		l.items[n-1] = entry[T]{}
		l.items = l.items[:n-1]
		l.mu.Unlock()
		return it
	}
	l.mu.Unlock()
	return l.New()
}

// Put returns an item to the list.
func (l *List[T]) Put(it T) {
	l.mu.Lock()
	l.items = append(l.items, entry[T]{it, l.tick})
	if !l.armed {
		l.armed = true
		if l.timer == nil {
			l.timer = time.AfterFunc(l.maxIdle(), l.expire)
		} else {
			l.timer.Reset(l.maxIdle())
		}
	}
	l.mu.Unlock()
}

// Len is the number of items the list holds now.
func (l *List[T]) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.items)
}

func (l *List[T]) maxIdle() time.Duration {
	if l.MaxIdle > 0 {
		return l.MaxIdle
	}
	return DefaultMaxIdle
}

// expire is the timer's tick: it drops the items put back two ticks ago or
// earlier (a run at the bottom of the stack), clearing their slots so that
// nothing keeps them reachable, and stops ticking once the list is empty.
func (l *List[T]) expire() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.tick++
	old := 0
	for old < len(l.items) && l.tick-l.items[old].tick >= 2 {
		old++
	}
	if old > 0 {
		kept := copy(l.items, l.items[old:])
		clear(l.items[kept:])
		l.items = l.items[:kept]
	}
	if len(l.items) == 0 {
		l.armed = false
		return
	}
	l.timer.Reset(l.maxIdle())
}
