package dwconv

import (
	"fmt"
	"os"

	"github.com/simdnet/simdnet/internal/isa"
)

// TileChannels is the width of a packed channel tile: one zmm register, two
// ymm registers. Pack rounds the channels up to a multiple of it.
const TileChannels = 16

// Kernel is one implementation of the depthwise row kernels.
type Kernel struct {
	Name string // e.g. "dwconvAVX512"
	ISA  string // "generic", "avx2" or "avx512": the value SIMDNET_DWCONV takes
}

// Each assembly kernel has an entry point with the nine taps of a 3×3
// window unrolled (AVX-512 also one for the 25 of 5×5) and one for any tap
// count, all computing rowKernel's loop; Kernel.run (kernel_amd64.go,
// kernel_noasm.go) dispatches to them by direct calls, so that the tap
// pointers stay on the caller's stack.
//
// rowKernel computes width output pixels, each of channels values, from
// one input pointer per tap (len(in) taps) and packed weights w (Pack's
// layout for len(in) taps):
//
//	for x < width, c < channels:
//	    tile, l := c/16, c%16
//	    t := w[tile*(taps+1)*16 + l]                        // bias
//	    for k < taps: t += in[k][x*step+c] * w[(tile*(taps+1)+1+k)*16 + l]
//	    out[x*outStride+c] = min(max(t, lo), hi)
//
// step and outStride are in elements. The kernels read in[k] at exactly
// these places and write exactly these outputs, nothing beyond.
type rowKernel func(out []float32, outStride int, in []*float32, step, width, channels int, w []float32, lo, hi float32)

var _ rowKernel = rowGo

func (k Kernel) String() string { return fmt.Sprintf("%s (%s)", k.Name, k.ISA) }

// available lists the kernels this CPU and build run, the portable one
// first and the fastest last.
var available = append([]Kernel{genericKernel()}, archKernels()...)

// selected is the kernel New uses when given none.
var selected = pickKernel(os.Getenv("SIMDNET_DWCONV"))

// Kernels returns every kernel this CPU and build can run, the portable one
// first and the fastest last.
func Kernels() []Kernel { return append([]Kernel(nil), available...) }

// Selected returns the kernel used when none is named: the fastest one
// available, or the one SIMDNET_DWCONV asks for.
func Selected() Kernel { return *selected }

// KernelByISA returns the kernel for isa ("generic", "avx2", "avx512") if
// this CPU and build run it.
func KernelByISA(isaName string) (Kernel, bool) {
	if k := isa.Find(available, kernelISA, isaName); k != nil {
		return *k, true
	}
	return Kernel{}, false
}

func pickKernel(want string) *Kernel { return isa.Pick(available, kernelISA, want, "SIMDNET_DWCONV") }

func kernelISA(k *Kernel) string { return k.ISA }
