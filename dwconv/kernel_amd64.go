//go:build amd64 && gc && !purego

package dwconv

import (
	"unsafe"

	"github.com/klauspost/cpuid/v2"
)

// CPU features, read once.
var (
	hasAVX2FMA = cpuid.CPU.Supports(cpuid.AVX, cpuid.AVX2, cpuid.FMA3)
	hasAVX512  = cpuid.CPU.Supports(cpuid.AVX512F)
)

// dwconv9AVX2 is rowKernel for nine taps (in points to nine pointers), 16
// channels a tile in two ymm registers, the taps unrolled.
//
//go:noescape
func dwconv9AVX2(out *float32, outStride int, in **float32, step, width, channels int, w *float32, lo, hi float32)

// dwconvAVX2 is rowKernel for any tap count ≥ 1.
//
//go:noescape
func dwconvAVX2(out *float32, outStride int, in **float32, taps, step, width, channels int, w *float32, lo, hi float32)

// dwconv9AVX512 is rowKernel for nine taps, 16 channels a tile in one zmm
// register, the taps unrolled.
//
//go:noescape
func dwconv9AVX512(out *float32, outStride int, in **float32, step, width, channels int, w *float32, lo, hi float32)

// dwconv25AVX512 is rowKernel for 25 taps (5×5 windows), the weights of a
// tile held in registers across the row.
//
//go:noescape
func dwconv25AVX512(out *float32, outStride int, in **float32, step, width, channels int, w *float32, lo, hi float32)

// dwconvAVX512 is rowKernel for any tap count ≥ 1.
//
//go:noescape
func dwconvAVX512(out *float32, outStride int, in **float32, taps, step, width, channels int, w *float32, lo, hi float32)

// archKernels lists the assembly kernels this CPU runs, slowest first.
func archKernels() []Kernel {
	var ks []Kernel
	if hasAVX2FMA {
		ks = append(ks, Kernel{Name: "dwconvAVX2", ISA: "avx2"})
	}
	if hasAVX512 {
		ks = append(ks, Kernel{Name: "dwconvAVX512", ISA: "avx512"})
	}
	return ks
}

// run is rowKernel on kernel k: nine taps (and 25 on AVX-512) take the
// unrolled entry points; a Kernel value naming an ISA this CPU lacks runs
// the portable kernel.
// The callers (Conv and the tests) guarantee every read and write is in
// bounds; assembly cannot check it anyway.
func (k *Kernel) run(out []float32, outStride int, in []*float32, step, width, channels int, w []float32, lo, hi float32) {
	o, p, wp := unsafe.SliceData(out), unsafe.SliceData(in), unsafe.SliceData(w)
	switch {
	case k.ISA == "avx512" && hasAVX512 && len(in) == 9:
		dwconv9AVX512(o, outStride, p, step, width, channels, wp, lo, hi)
	case k.ISA == "avx512" && hasAVX512 && len(in) == 25:
		dwconv25AVX512(o, outStride, p, step, width, channels, wp, lo, hi)
	case k.ISA == "avx512" && hasAVX512:
		dwconvAVX512(o, outStride, p, len(in), step, width, channels, wp, lo, hi)
	case k.ISA == "avx2" && hasAVX2FMA && len(in) == 9:
		dwconv9AVX2(o, outStride, p, step, width, channels, wp, lo, hi)
	case k.ISA == "avx2" && hasAVX2FMA:
		dwconvAVX2(o, outStride, p, len(in), step, width, channels, wp, lo, hi)
	default:
		rowGo(out, outStride, in, step, width, channels, w, lo, hi)
	}
}
