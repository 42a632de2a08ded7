// Package allocs measures heap allocation, for tests that check a hostile
// input is refused before memory is spent on it.
package allocs

import "runtime"

// Bytes returns the bytes run allocates on the heap (all goroutines'
// allocations while it runs count, so callers leave a generous margin).
func Bytes(run func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	run()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}
