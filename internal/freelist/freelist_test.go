package freelist

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestListReusesItems(t *testing.T) {
	made := 0
	l := List[*[]float32]{New: func() *[]float32 { made++; b := make([]float32, 8); return &b }}
	a := l.Get()
	l.Put(a)
	if b := l.Get(); b != a || made != 1 {
		t.Fatalf("Get after Put returned a new item (made %d)", made)
	}
}

func TestListConcurrent(t *testing.T) {
	var mu sync.Mutex
	made := 0
	l := List[*int]{New: func() *int { mu.Lock(); made++; mu.Unlock(); return new(int) }}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Go(func() {
			for i := 0; i < 1000; i++ {
				it := l.Get()
				*it++
				l.Put(it)
			}
		})
	}
	wg.Wait()
	total := 0
	for l.Len() > 0 {
		total += *l.Get()
	}
	if total != 8000 || made > 8 {
		t.Fatalf("total %d over %d items, want 8000 over at most 8", total, made)
	}
}

// TestListDropsIdleItems: of three items, the one in steady use stays and
// the two left unused are dropped, then the last one once nobody uses it,
// and the garbage collector can take all three (their cleanups run).
func TestListDropsIdleItems(t *testing.T) {
	var freed atomic.Int32
	l := List[*[]float32]{MaxIdle: 20 * time.Millisecond, New: func() *[]float32 {
		b := make([]float32, 1<<16)
		runtime.AddCleanup(&b, func(int) { freed.Add(1) }, 0)
		return &b
	}}
	a, b, c := l.Get(), l.Get(), l.Get()
	l.Put(a)
	l.Put(b)
	l.Put(c)
	a, b, c = nil, nil, nil
	if n := l.Len(); n != 3 {
		t.Fatalf("Len = %d after three Puts, want 3", n)
	}
	// Keep one item busy until the other two have been dropped.
	deadline := time.Now().Add(5 * time.Second)
	for l.Len() > 1 {
		if time.Now().After(deadline) {
			t.Fatalf("after 5 s of use of one item the list still holds %d", l.Len())
		}
		l.Put(l.Get())
		time.Sleep(time.Millisecond)
	}
	// Now leave it alone.
	for l.Len() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("an unused list still holds %d items after 5 s", l.Len())
		}
		time.Sleep(5 * time.Millisecond)
	}
	for freed.Load() < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("the garbage collector freed %d of the 3 dropped items", freed.Load())
		}
		runtime.GC()
		time.Sleep(5 * time.Millisecond)
	}
	// The list still works, and ticks again.
	l.Put(l.Get())
	if l.Len() != 1 {
		t.Fatalf("Len = %d after a Put on a drained list, want 1", l.Len())
	}
}
