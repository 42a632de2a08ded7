package parallel

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// countTask hands out pieces 0..n-1 and counts how often each is done.
type countTask struct {
	next atomic.Int64
	hits []atomic.Int32
}

func (c *countTask) Work() {
	for {
		i := int(c.next.Add(1) - 1)
		if i >= len(c.hits) {
			return
		}
		c.hits[i].Add(1)
		time.Sleep(time.Microsecond)
	}
}

// onceErr describes the first piece not done exactly once, or is nil. It
// returns an error rather than failing the test, so that goroutines other
// than the test's own can call it and hand the result back.
func onceErr(c *countTask, what string) error {
	for i := range c.hits {
		if n := c.hits[i].Load(); n != 1 {
			return fmt.Errorf("%s: piece %d done %d times", what, i, n)
		}
	}
	return nil
}

func checkOnce(t *testing.T, c *countTask, what string) {
	t.Helper()
	if err := onceErr(c, what); err != nil {
		t.Fatal(err)
	}
}

// TestDoConcurrentCallers: tasks posted from several goroutines at once,
// with polling and with parking helpers, more helpers asked for than
// exist processors: every piece is done exactly once and no call hangs.
func TestDoConcurrentCallers(t *testing.T) {
	defer SpinFor.Store(SpinFor.Load())
	for _, spin := range []time.Duration{0, time.Millisecond} {
		SpinFor.Store(int64(spin))
		var wg sync.WaitGroup
		errs := make(chan error, 6*30)
		for g := range 6 {
			wg.Go(func() {
				for i := range 30 {
					c := &countTask{hits: make([]atomic.Int32, 1+(g*7+i)%40)}
					Do(c, 1+i%4)
					if err := onceErr(c, fmt.Sprintf("spin %v, goroutine %d, call %d", spin, g, i)); err != nil {
						errs <- err
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	}
}

// TestDoWakesParkedHelpers: after the polling window has run out, a new
// task must still reach the parked helpers.
func TestDoWakesParkedHelpers(t *testing.T) {
	defer SpinFor.Store(SpinFor.Load())
	SpinFor.Store(int64(time.Microsecond))
	for range 5 {
		time.Sleep(2 * time.Millisecond)
		c := &countTask{hits: make([]atomic.Int32, 50)}
		Do(c, 2)
		checkOnce(t, c, "after parking")
	}
}

type nopTask struct{}

func (nopTask) Work() {}

func TestDoAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	Do(nopTask{}, 1)
	if a := testing.AllocsPerRun(100, func() { Do(nopTask{}, 1) }); a != 0 {
		t.Errorf("Do: %v allocations per call, want 0", a)
	}
}
