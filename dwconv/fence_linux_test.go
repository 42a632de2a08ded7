package dwconv

import (
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"
	"unsafe"
)

// fenced returns n float32s that end exactly where an inaccessible page
// begins, so that reading or writing one value past them faults. The
// kernels' masked tails must touch no byte beyond the last channel;
// guard bands cannot show a read, a fence can.
func fenced(t *testing.T, n int) []float32 {
	t.Helper()
	page := syscall.Getpagesize()
	size := (n*4+page-1)/page*page + page
	mem, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Skipf("mmap: %v", err)
	}
	t.Cleanup(func() { syscall.Munmap(mem) })
	if err := syscall.Mprotect(mem[size-page:], syscall.PROT_NONE); err != nil {
		t.Skipf("mprotect: %v", err)
	}
	end := size - page
	return unsafe.Slice((*float32)(unsafe.Pointer(&mem[end-n*4])), n)
}

// TestFencedTails runs every kernel with each tap's input and the output
// ending at a fence, on the channel counts whose last tile is partial.
func TestFencedTails(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, k := range Kernels() {
		for _, taps := range []int{9, 1, 4, 25} {
			for _, c := range []int{1, 7, 8, 9, 15, 17, 31, 33} {
				for width := 1; width <= 3; width++ {
					step := c
					span := (width-1)*step + c
					in := make([]*float32, taps)
					for i := range in {
						s := fenced(t, span)
						copy(s, randSlice(r, span))
						in[i] = &s[0]
					}
					tiles := (c + TileChannels - 1) / TileChannels
					w := randSlice(r, tiles*(taps+1)*TileChannels)
					out := fenced(t, span)
					want := make([]float32, span)
					k.run(out, c, in, step, width, c, w, 0, 6)
					rowGo(want, c, in, step, width, c, w, 0, 6)
					for i := range want {
						if d := out[i] - want[i]; d > 1e-5 || d < -1e-5 {
							t.Fatalf("%s: %s", k.Name, fmt.Sprintf("taps %d, c %d, width %d: out[%d] = %v, twin %v", taps, c, width, i, out[i], want[i]))
						}
					}
				}
			}
		}
	}
}
