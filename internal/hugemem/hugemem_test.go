package hugemem

import (
	"encoding/binary"
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
	defer SetEnabled(SetEnabled(true))
	buf := Float32s(5 * Page / 4)
	if p := uintptr(unsafe.Pointer(unsafe.SliceData(buf))); p%Page != 0 {
		t.Fatalf("a %d-value buffer starts at %#x, not on a %d-byte boundary", len(buf), p, Page)
	}
}

// TestHugePagesBackLargeBuffers checks, where the kernel offers transparent
// huge pages, that a large buffer has them from the start, also when the
// heap had used its memory before, and that no advice is left on its
// mapping (neither MADV_HUGEPAGE's "hg" nor MADV_NOHUGEPAGE's "nh"), so
// nothing changes for the memory once the buffer is freed and reused.
func TestHugePagesBackLargeBuffers(t *testing.T) {
	thpOffered(t)
	defer SetEnabled(SetEnabled(true))
	old := make([]float32, 6*Page/4)
	for i := range old {
		old[i] = 1
	}
	old = nil
	runtime.GC()
	buf := Float32s(4 * Page / 4)
	gained := hugeIn(t, buf)
	_, flags := mapping(t, uintptr(unsafe.Pointer(unsafe.SliceData(buf))))
	if strings.Contains(flags, " hg") || strings.Contains(flags, " nh") {
		t.Errorf("the mapping of the buffer carries huge-page advice: VmFlags:%s", flags)
	}
	// Huge pages are a request: under memory fragmentation the kernel may
	// still fall back to small pages, so ask for at least one of four, and
	// where there is none, ask the kernel why (Float32s ignores the error).
	if gained < Page {
		switch err := collapse(buf); err {
		case syscall.EINVAL:
			t.Skip("this kernel has no MADV_COLLAPSE (Linux 6.1 and later)")
		case syscall.EAGAIN, syscall.ENOMEM:
			t.Skipf("the kernel could not find huge pages now: %v", err)
		default:
			t.Errorf("a %d KiB buffer brought %d KiB of huge pages, want at least %d KiB (MADV_COLLAPSE asked again: %v)",
				len(buf)*4>>10, gained>>10, Page>>10, err)
		}
	}
	for i := range buf {
		buf[i] = 1 // the huge pages are writable memory like any other
	}
	runtime.KeepAlive(buf)
}

// TestCollapseMergesSmallPages checks what Float32s relies on for memory
// the heap had used before: written memory in small pages is in huge pages
// after collapse, with its values kept.
func TestCollapseMergesSmallPages(t *testing.T) {
	thpOffered(t)
	raw := make([]float32, 5*Page/4)
	off := alignOffset(raw)
	buf := raw[off : off+4*Page/4]
	for i := range buf {
		buf[i] = float32(i) // faults in small pages
	}
	if huge := hugeIn(t, buf); huge != 0 {
		t.Skipf("the buffer is in %d KiB of huge pages before collapse (memory a collapsed buffer had, or THP in always mode)", huge>>10)
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
	if gained := hugeIn(t, buf); gained < Page {
		t.Errorf("collapse of a %d KiB buffer brought %d KiB of huge pages, want at least %d KiB", len(buf)*4>>10, gained>>10, Page>>10)
	}
	for i, v := range buf {
		if v != float32(i) {
			t.Fatalf("collapse changed buf[%d] from %v to %v", i, float32(i), v)
		}
	}
}

// TestOffSwitch: SIMDNET_HUGEPAGES=0 (and its spellings) turns huge pages
// off; with them off, a large buffer is a plain zeroed allocation.
func TestOffSwitch(t *testing.T) {
	for v, want := range map[string]bool{"": true, "1": true, "on": true, "0": false, "off": false, " OFF ": false, "false": false, "no": false} {
		if got := enabledFrom(v); got != want {
			t.Errorf("SIMDNET_HUGEPAGES=%q: enabled %v, want %v", v, got, want)
		}
	}
	defer SetEnabled(SetEnabled(false))
	if Enabled() {
		t.Fatal("SetEnabled(false) left huge pages on")
	}
	buf := Float32s(3 * Page / 4)
	if len(buf) != 3*Page/4 || cap(buf) != 3*Page/4 {
		t.Fatalf("len %d cap %d, want %d", len(buf), cap(buf), 3*Page/4)
	}
	for i, v := range buf {
		if v != 0 {
			t.Fatalf("buf[%d] = %v, want 0", i, v)
		}
	}
}

// hugeIn is how many bytes of buf lie in huge pages. Where this process
// may read page frame numbers (CAP_SYS_ADMIN), it counts buf's own small
// pages that belong to a transparent huge page (/proc/self/pagemap, then
// the THP flag of /proc/kpageflags); elsewhere it falls back to the
// AnonHugePages of the mapping that holds buf, which other buffers of the
// heap share.
func hugeIn(t *testing.T, buf []float32) int {
	t.Helper()
	start := uintptr(unsafe.Pointer(unsafe.SliceData(buf)))
	pm, err1 := os.Open("/proc/self/pagemap")
	kf, err2 := os.Open("/proc/kpageflags")
	if err1 == nil {
		defer pm.Close()
	}
	if err2 == nil {
		defer kf.Close()
	}
	if err1 == nil && err2 == nil {
		var b [8]byte
		huge := 0
		for a := start &^ 4095; a < start+uintptr(4*len(buf)); a += 4096 {
			if _, err := pm.ReadAt(b[:], int64(a/4096*8)); err != nil {
				break
			}
			e := binary.LittleEndian.Uint64(b[:])
			pfn := e & (1<<55 - 1)
			if e>>63 == 0 {
				continue // not present
			}
			if pfn == 0 {
				huge = -1 // no right to see frames
				break
			}
			if _, err := kf.ReadAt(b[:], int64(pfn*8)); err != nil {
				huge = -1
				break
			}
			if binary.LittleEndian.Uint64(b[:])&(1<<22) != 0 { // KPF_THP
				huge += 4096
			}
		}
		if huge >= 0 {
			return huge
		}
	}
	huge, _ := mapping(t, start)
	return huge
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

// BenchmarkFloat32s is the cost of a 4 MiB buffer (a packed weight matrix)
// with huge pages (aligned, touched, collapsed) and without (a plain make),
// once written, as the packing writes it. The collapse is paid once per
// buffer; this shows how much.
func BenchmarkFloat32s(b *testing.B) {
	for _, on := range []bool{false, true} {
		b.Run(fmt.Sprintf("hugepages=%v", on), func(b *testing.B) {
			defer SetEnabled(SetEnabled(on))
			for b.Loop() {
				buf := Float32s(2 * Page / 4)
				for i := 0; i < len(buf); i += 1024 {
					buf[i] = 1
				}
			}
		})
	}
}
