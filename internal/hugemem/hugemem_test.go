package hugemem

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

func TestFloat32sSizesAndZeroes(t *testing.T) {
	for _, n := range []int{0, 1, 1000, Page/4 - 1, Page / 4, Page/4 + 3, 3*Page/4 + 17} {
		buf := Float32s(n)
		if len(buf) != n || cap(buf) != n {
			t.Fatalf("Float32s(%d): len %d cap %d", n, len(buf), cap(buf))
		}
		for i, v := range buf {
			if v != 0 {
				t.Fatalf("Float32s(%d)[%d] = %v, want 0", n, i, v)
			}
		}
		for i := range buf {
			buf[i] = float32(i) // the whole slice is writable
		}
	}
}

func TestLargeBuffersAreAligned(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("alignment only matters where madvise is used")
	}
	buf := Float32s(5 * Page / 4)
	if p := uintptr(unsafe.Pointer(unsafe.SliceData(buf))); p%Page != 0 {
		t.Fatalf("a %d-value buffer starts at %#x, not on a %d-byte boundary", len(buf), p, Page)
	}
}

// TestHugePagesBackLargeBuffers checks, where the kernel offers transparent
// huge pages on request, that a large buffer has them from the start, also
// when the heap had used its memory before.
func TestHugePagesBackLargeBuffers(t *testing.T) {
	thpOffered(t)
	old := make([]float32, 6*Page/4)
	for i := range old {
		old[i] = 1
	}
	old = nil
	runtime.GC()
	buf := Float32s(4 * Page / 4)
	huge, flags := mapping(t, uintptr(unsafe.Pointer(unsafe.SliceData(buf))))
	if !strings.Contains(flags, " hg") {
		t.Errorf("the mapping of the buffer lacks the huge-page advice: VmFlags:%s", flags)
	}
	// Huge pages are a request: under memory fragmentation the kernel may
	// still fall back to small pages, so ask for at least one of four, and
	// where there is none, ask the kernel why (Float32s ignores the error).
	if huge < Page {
		switch err := collapse(buf); err {
		case syscall.EINVAL:
			t.Skip("this kernel has no MADV_COLLAPSE (Linux 6.1 and later)")
		case syscall.EAGAIN, syscall.ENOMEM:
			t.Skipf("the kernel could not find huge pages now: %v", err)
		default:
			t.Errorf("the mapping of a %d KiB buffer holds %d KiB of huge pages, want at least %d KiB (MADV_COLLAPSE asked again: %v)",
				len(buf)*4>>10, huge>>10, Page>>10, err)
		}
	}
	for i := range buf {
		buf[i] = 1 // the huge pages are writable memory like any other
	}
	runtime.KeepAlive(buf)
}

// TestCollapseMergesSmallPages checks what Float32s relies on for memory
// the heap had used before: written memory in small pages, advised, is in
// huge pages after collapse.
func TestCollapseMergesSmallPages(t *testing.T) {
	thpOffered(t)
	raw := make([]float32, 5*Page/4)
	off := alignOffset(raw)
	buf := raw[off : off+4*Page/4]
	for i := range buf {
		buf[i] = float32(i) // faults in small pages: no advice yet
	}
	adviseHuge(buf) // its own mapping now, still in small pages
	p := uintptr(unsafe.Pointer(unsafe.SliceData(buf)))
	if huge, _ := mapping(t, p); huge != 0 {
		t.Skipf("the buffer got %d KiB of huge pages before collapse (THP in always mode?)", huge>>10)
	}
	switch err := collapse(buf); err {
	case nil:
	case syscall.EINVAL:
		t.Skip("this kernel has no MADV_COLLAPSE (Linux 6.1 and later)")
	case syscall.EAGAIN, syscall.ENOMEM:
		t.Skipf("the kernel could not find huge pages now: %v", err)
	default:
		t.Fatalf("MADV_COLLAPSE: %v", err)
	}
	if huge, _ := mapping(t, p); huge < Page {
		t.Errorf("after collapse the %d KiB buffer holds %d KiB of huge pages, want at least %d KiB", len(buf)*4>>10, huge>>10, Page>>10)
	}
	for i, v := range buf {
		if v != float32(i) {
			t.Fatalf("collapse changed buf[%d] from %v to %v", i, float32(i), v)
		}
	}
}

// thpOffered skips the test where the kernel offers no transparent huge
// pages on request.
func thpOffered(t *testing.T) {
	mode, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil || !strings.Contains(string(mode), "[madvise]") && !strings.Contains(string(mode), "[always]") {
		t.Skip("transparent huge pages are not offered here")
	}
}

// mapping returns AnonHugePages (bytes) and VmFlags of the mapping that
// holds address p, from /proc/self/smaps.
func mapping(t *testing.T, p uintptr) (huge int, flags string) {
	data, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		t.Skipf("cannot read smaps: %v", err)
	}
	in := false
	for _, line := range strings.Split(string(data), "\n") {
		var lo, hi uintptr
		if n, _ := fmt.Sscanf(line, "%x-%x", &lo, &hi); n == 2 {
			in = lo <= p && p < hi
			continue
		}
		if !in {
			continue
		}
		if kb, ok := strings.CutPrefix(line, "AnonHugePages:"); ok {
			fmt.Sscanf(strings.TrimSpace(kb), "%d", &huge)
			huge <<= 10
		}
		if f, ok := strings.CutPrefix(line, "VmFlags:"); ok {
			return huge, f
		}
	}
	t.Fatalf("no mapping holds %#x", p)
	return 0, ""
}
