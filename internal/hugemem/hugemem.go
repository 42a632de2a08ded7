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
package hugemem

// Page is the size of a huge page; buffers smaller than it gain nothing.
const Page = 2 << 20

// Float32s returns a zeroed slice of n values. When n values fill at least
// one huge page, the slice starts on a huge-page boundary and the kernel is
// asked to back it with huge pages (where the OS has them); otherwise it is
// an ordinary allocation. The memory belongs to the Go heap either way.
func Float32s(n int) []float32 {
	if n*4 < Page {
		return make([]float32, n)
	}
	// Over-allocate by a page, so that an aligned start lies inside. Fresh
	// memory from the OS gets huge pages at its first touch once advised;
	// memory the heap had used before (and make has zeroed) is already in
	// small pages, which MADV_COLLAPSE (Linux 6.1 and later) replaces now.
	// Where the kernel declines either, the buffer works as well with small
	// pages.
	buf := make([]float32, n+Page/4)
	off := alignOffset(buf)
	buf = buf[off : off+n : off+n]
	adviseHuge(buf)
	_ = collapse(buf)
	return buf
}
