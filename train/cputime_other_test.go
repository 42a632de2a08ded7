//go:build !unix

package train

import "time"

// cpuTime is not measured here; CPU-time metrics read zero.
func cpuTime() time.Duration { return 0 }
