package hugemem

import (
	"syscall"
	"unsafe"
)

// Advice values absent from package syscall.
const (
	madvHugepage = 14 // MADV_HUGEPAGE
	madvCollapse = 25 // MADV_COLLAPSE
)

// alignOffset is the index of buf's first value on a huge-page boundary.
func alignOffset(buf []float32) int {
	p := uintptr(unsafe.Pointer(unsafe.SliceData(buf)))
	return int((-p)&(Page-1)) / 4
}

// adviseHuge asks for huge pages on the whole pages of buf. The advice is a
// hint: a kernel without transparent huge pages, or with them switched off,
// refuses or ignores it, and the buffer works as well with small pages.
func adviseHuge(buf []float32) {
	_ = syscall.Madvise(wholePages(buf), madvHugepage)
}

func collapse(buf []float32) error {
	return syscall.Madvise(wholePages(buf), madvCollapse)
}

// wholePages is buf's memory from its start (on a huge-page boundary) to its
// last whole huge page.
func wholePages(buf []float32) []byte {
	mem := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(buf))), len(buf)*4)
	return mem[:len(mem)&^(Page-1)]
}
