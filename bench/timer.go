package bench

import (
	"time"
)

// Timing is the best of several timed rounds of a repeated call.
type Timing struct {
	PerCall time.Duration // best round's time divided by its calls
	Calls   int           // calls per round
}

// Measure runs fn until a round of calls lasts at least minRound, then times
// rounds such rounds and keeps the fastest: on a shared machine the fastest
// round is the one least disturbed by others.
func Measure(fn func(), minRound time.Duration, rounds int) Timing {
	fn() // warm caches, pools and lazily packed operands
	calls := 1
	for {
		start := time.Now()
		for i := 0; i < calls; i++ {
			fn()
		}
		if d := time.Since(start); d >= minRound || calls >= 1<<30 {
			break
		}
		calls *= 2
	}
	best := time.Duration(1<<63 - 1)
	for r := 0; r < rounds; r++ {
		start := time.Now()
		for i := 0; i < calls; i++ {
			fn()
		}
		best = min(best, time.Since(start))
	}
	return Timing{PerCall: best / time.Duration(calls), Calls: calls}
}
