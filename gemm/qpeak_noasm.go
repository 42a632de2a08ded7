//go:build !amd64 || !gc || purego

package gemm

import "time"

// Int8PeakGOPS: this build has no int8 assembly, so no peak loop.
func Int8PeakGOPS(isa string, d time.Duration) (gops float64, ok bool) { return 0, false }
