package freelist

import (
	"sync"
	"testing"
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
	for len(l.items) > 0 {
		total += *l.Get()
	}
	if total != 8000 || made > 8 {
		t.Fatalf("total %d over %d items, want 8000 over at most 8", total, made)
	}
}
