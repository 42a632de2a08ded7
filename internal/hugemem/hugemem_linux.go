package hugemem

import (
	"syscall"
	"unsafe"
)

// madvCollapse is MADV_COLLAPSE, absent from package syscall.
const madvCollapse = 25

// alignOffset is the index of buf's first value on a huge-page boundary.
func alignOffset(buf []float32) int {
	p := uintptr(unsafe.Pointer(unsafe.SliceData(buf)))
	return int((-p)&(Page-1)) / 4
}

// collapse replaces the small pages of buf's whole huge pages by huge
// pages, synchronously, leaving no advice on the range. The kernel refuses
// a range with no page present (EINVAL), which is what fresh memory from
// the OS is (make need not touch memory it knows is zero), so the first
// refusal touches one byte of every small page, writing the zero it holds,
// and asks again. Where the kernel declines (no MADV_COLLAPSE before Linux
// 6.1, THP off, no huge page free now), the buffer works as well with small
// pages.
func collapse(buf []float32) error {
	mem := wholePages(buf)
	if len(mem) == 0 {
		return nil
	}
	err := syscall.Madvise(mem, madvCollapse)
	if err != syscall.EINVAL {
		return err
	}
	for i := 0; i < len(mem); i += 4096 {
		mem[i] = 0
	}
	return syscall.Madvise(mem, madvCollapse)
}

// wholePages is buf's memory from its start (on a huge-page boundary) to its
// last whole huge page.
func wholePages(buf []float32) []byte {
	mem := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(buf))), len(buf)*4)
	return mem[:len(mem)&^(Page-1)]
}
