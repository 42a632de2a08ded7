//go:build amd64 && gc && !purego

package gemm

import "time"

//go:noescape
func vnniPeakLoop(n int)

// Int8PeakGOPS measures one core's int8 peak for the instructions of the
// int8 kernel named by isa, in GOPS (two operations a multiply-add), by
// running independent dot-product instructions for about d: the ceiling
// the int8 GEMM's figures are read against. ok is false where this CPU or
// build has no such loop (the portable kernel has no peak to speak of).
func Int8PeakGOPS(isa string, d time.Duration) (gops float64, ok bool) {
	if isa != "avx512vnni" || !hasAVX512VNNI {
		return 0, false
	}
	const perIter = 12 * 16 * 4 * 2
	return peakRate(vnniPeakLoop, perIter, d), true
}

// peakRate runs loop in rounds of growing length until one lasts d and
// returns its operations per nanosecond (GOPS); the best of three rounds.
func peakRate(loop func(n int), perIter float64, d time.Duration) float64 {
	n := 1 << 10
	for {
		start := time.Now()
		loop(n)
		if el := time.Since(start); el >= d/4 || n >= 1<<40 {
			break
		}
		n *= 2
	}
	best := 0.0
	for range 3 {
		start := time.Now()
		loop(n)
		best = max(best, perIter*float64(n)/float64(time.Since(start).Nanoseconds()))
	}
	return best
}
