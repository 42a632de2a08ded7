// Package isa chooses among a package's kernels by instruction set: the
// rule gemm and dwconv share for their SIMDNET_* switches.
package isa

import (
	"fmt"
	"os"
	"strings"
)

// Find returns the kernel of kernels whose ISA (as isaOf reports it) is
// want, compared case-insensitively, or nil.
func Find[K any](kernels []K, isaOf func(*K) string, want string) *K {
	want = strings.ToLower(strings.TrimSpace(want))
	for i := range kernels {
		if isaOf(&kernels[i]) == want {
			return &kernels[i]
		}
	}
	return nil
}

// Pick returns the kernel an environment variable asks for: the last (the
// fastest) of kernels when want is empty, the one whose ISA is want, or —
// when this CPU or build lacks it — the fastest, with a line on stderr
// naming the variable. Asking for a kernel the CPU lacks must not crash a
// program; the package's Selected then reports what runs instead.
func Pick[K any](kernels []K, isaOf func(*K) string, want, variable string) *K {
	best := &kernels[len(kernels)-1]
	if strings.TrimSpace(want) == "" {
		return best
	}
	if k := Find(kernels, isaOf, want); k != nil {
		return k
	}
	fmt.Fprintf(os.Stderr, "simdnet: %s=%q is not available here; using %s\n", variable, want, isaOf(best))
	return best
}
