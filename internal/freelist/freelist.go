// Package freelist keeps large reusable buffers between calls.
//
// sync.Pool empties itself at every other garbage collection, which suits
// small objects but not the megabytes of packing buffers and activation
// arenas that simdnet reuses: a server with other garbage would reallocate
// them again and again. A List keeps every item it is given, so it holds as
// many as were ever in use at once, and no more.
package freelist

import "sync"

// List is a stack of reusable items, safe for concurrent use. The zero value
// is empty and ready; New, if set, makes an item when the list is empty.
type List[T any] struct {
	New   func() T
	mu    sync.Mutex
	items []T
}

// Get takes an item from the list, or makes one.
func (l *List[T]) Get() T {
	l.mu.Lock()
	if n := len(l.items); n > 0 {
		it := l.items[n-1]
		var zero T
		l.items[n-1] = zero
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
	l.items = append(l.items, it)
	l.mu.Unlock()
}
