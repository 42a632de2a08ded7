// Package hugemem allocates large float32 buffers that the kernel may back
// with 2 MiB pages (transparent huge pages).
//
// Weights that a network streams from memory on every call, 68 MiB for
// ResNet50, span about 17,000 pages of 4 KiB: each page costs a TLB miss
// and a page walk, and on Linux with transparent huge pages in madvise mode
// (the common default) no Go allocation gets huge pages unless it asks.
// Measured on ResNet50 inference, weights in huge pages against small ones
// (median of 30 alternating rounds in one process): batch 1 2-4% faster
// with one thread, 1.4-2.6% with two; batch 32 1.8% with two.
//
// # Why no advice is ever left on memory
//
// The Go runtime tried huge pages for its heap in Go 1.21 and backed out
// (golang/go#61718, #63334, #64342): memory marked MADV_HUGEPAGE can stall
// any page fault in it on direct compaction, and khugepaged keeps
// re-collapsing marked ranges that the scavenger has returned (with
// max_ptes_none at 511, one resident 4 KiB page is enough), so the RSS of
// a long-running program grows back to the heap's peak. A buffer of ours
// is heap memory too: once it is freed, the heap reuses its range for
// anything, and an MADV_HUGEPAGE left on it would bring both problems to
// the whole program. So Float32s never marks memory. It asks for the
// collapse once, synchronously, with MADV_COLLAPSE (Linux 6.1 and later),
// which replaces the buffer's present small pages by huge ones and leaves
// the mapping's flags as they were: when the buffer is freed and the
// scavenger releases its pages, the huge pages are split and nothing
// brings them back. Resetting the advice with MADV_NOHUGEPAGE before
// release was the other way; it needs a finalizer per buffer, forbids huge
// pages on the range for good (also where THP is "always") and still
// splits the heap's mapping into more VMAs. The collapse is paid once per
// buffer, at allocation (model load, a worker's first large product), and
// stalls only the goroutine that allocates; the runtime's own calls, in
// contrast, ran with the heap lock held.
//
// SIMDNET_HUGEPAGES=0 (or off) switches all of it off: every buffer is then
// a plain make, neither aligned nor collapsed. It is read once at start-up.
package hugemem

import (
	"os"
	"strings"
	"sync/atomic"
)

// Page is the size of a huge page; buffers smaller than it gain nothing.
const Page = 2 << 20

// enabled is SIMDNET_HUGEPAGES, read once; tests switch it with SetEnabled.
var enabled atomic.Bool

func init() { enabled.Store(enabledFrom(os.Getenv("SIMDNET_HUGEPAGES"))) }

// enabledFrom reads the switch: "0", "off", "false" and "no" turn huge pages
// off; anything else, unset included, leaves them on.
func enabledFrom(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "0", "off", "false", "no":
		return false
	}
	return true
}

// Enabled reports whether Float32s asks for huge pages.
func Enabled() bool { return enabled.Load() }

// SetEnabled switches huge pages on or off for the buffers allocated from
// now on, and returns the previous setting (for tests and benchmarks that
// compare both).
func SetEnabled(on bool) bool { return enabled.Swap(on) }

// Float32s returns a zeroed slice of n values. When huge pages are enabled
// and n values fill at least one huge page, the slice starts on a
// huge-page boundary and its whole huge pages are collapsed into huge
// pages (where the kernel can); otherwise it is an ordinary allocation.
// The memory belongs to the Go heap either way, and no advice stays on it.
func Float32s(n int) []float32 {
	if n*4 < Page || !enabled.Load() {
		return make([]float32, n)
	}
	// Over-allocate by a page, so that an aligned start lies inside.
	buf := make([]float32, n+Page/4)
	off := alignOffset(buf)
	buf = buf[off : off+n : off+n]
	_ = collapse(buf)
	return buf
}
