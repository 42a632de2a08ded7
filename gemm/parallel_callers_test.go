package gemm

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/simdnet/simdnet/internal/parallel"
)

// TestConcurrentCallers runs multi-threaded products from several
// goroutines at once, so that callers find the workers busy with each
// other's jobs, both with polling and with parking workers: every result
// must still equal its one-thread result, and no call may hang.
func TestConcurrentCallers(t *testing.T) {
	defer parallel.SpinFor.Store(parallel.SpinFor.Load())
	for _, spin := range []time.Duration{0, 200 * time.Microsecond} {
		parallel.SpinFor.Store(int64(spin))
		var wg sync.WaitGroup
		// Only the test's goroutine may fail the test: the callers
		// hand their findings back.
		errs := make(chan string, 6*20)
		for g := range 6 {
			wg.Go(func() {
				rng := rand.New(rand.NewPCG(uint64(g), 15))
				for i := range 20 {
					p := newCase(rng, 40+rng.IntN(200), 40+rng.IntN(200), 1+rng.IntN(300), false, false, 0, 1, 0)
					p.Threads = 1
					fill(p.C, -1)
					Run(p)
					one := append([]float32(nil), p.C...)
					p.Threads = 2 + i%3
					fill(p.C, -1)
					Run(p)
					if !slices.Equal(one, p.C) {
						errs <- fmt.Sprintf("spin %v goroutine %d call %d: %d threads change the result", spin, g, i, p.Threads)
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for e := range errs {
			t.Error(e)
		}
	}
}

// TestParkedWorkersWake checks the hand-off to a worker that has parked:
// after its polling window has run out, a new product must still reach it.
func TestParkedWorkersWake(t *testing.T) {
	defer parallel.SpinFor.Store(parallel.SpinFor.Load())
	parallel.SpinFor.Store(int64(time.Microsecond))
	rng := rand.New(rand.NewPCG(16, 17))
	p := newCase(rng, 300, 200, 150, false, false, 0, 1, 0)
	p.Threads = 1
	fill(p.C, -1)
	Run(p)
	one := append([]float32(nil), p.C...)
	p.Threads = 2
	for range 5 {
		time.Sleep(2 * time.Millisecond) // let the workers park
		fill(p.C, -1)
		Run(p)
		require.True(t, slices.Equal(one, p.C), "a parked worker changed the result")
	}
}
