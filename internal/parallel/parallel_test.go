package parallel

import (
	"runtime"
	"sync/atomic"
	"testing"
)

func TestForCoversEveryItemOnce(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	for _, n := range []int{0, 1, 7, 1000, 100003} {
		hits := make([]int32, n)
		For(n, 10, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				atomic.AddInt32(&hits[i], 1)
			}
		})
		for i, h := range hits {
			if h != 1 {
				t.Fatalf("n=%d: item %d visited %d times", n, i, h)
			}
		}
	}
}

func TestChunksAreFixed(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(3))
	n, chunk := 1000, 64
	bounds := make([][2]int, NumChunks(n, chunk))
	Chunks(n, chunk, 1<<20, func(c, lo, hi int) { bounds[c] = [2]int{lo, hi} })
	for c, b := range bounds {
		if b[0] != c*chunk || b[1] != min(n, (c+1)*chunk) {
			t.Fatalf("chunk %d is [%d, %d)", c, b[0], b[1])
		}
	}
}

func TestWorkers(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	if w := Workers(100, 1000); w != 1 {
		t.Fatalf("a loop smaller than its grain got %d workers", w)
	}
	if w := Workers(1<<20, 1); w != 2 {
		t.Fatalf("a large loop got %d workers with GOMAXPROCS=2", w)
	}
}
