//go:build amd64 && gc && !purego

package gemm

import (
	"unsafe"

	"github.com/klauspost/cpuid/v2"
)

// CPU features, read once.
var (
	hasAVX2FMA = cpuid.CPU.Supports(cpuid.AVX, cpuid.AVX2, cpuid.FMA3)
	hasAVX512  = cpuid.CPU.Supports(cpuid.AVX512F)
)

// sgemm6x16AVX2 is the micro-kernel of microKernel's doc comment for a 6×16
// tile (MR=6, NR=16) in twelve ymm accumulators. A's row stride aRS and k
// step aKS are in elements.
//
//go:noescape
func sgemm6x16AVX2(k int, a *float32, aRS, aKS int, b *float32, bStride int, c *float32, ldc int, res *float32, ldr int, bias *float32, flags uint, bNext *float32, act *Activation)

// sgemm12x32AVX512 is the micro-kernel of microKernel's doc comment for a
// 12×32 tile (MR=12, NR=32) in twenty-four zmm accumulators. A's row stride
// aRS and k step aKS are in elements.
//
//go:noescape
func sgemm12x32AVX512(k int, a *float32, aRS, aKS int, b *float32, bStride int, c *float32, ldc int, res *float32, ldr int, bias *float32, flags uint, bNext *float32, act *Activation)

// sgemm4x32AVX512 is the micro-kernel of microKernel's doc comment for a
// 4×32 tile (MR=4, NR=32): the edge kernel of sgemm12x32AVX512 for strips
// of at most 8 rows, which reads the same A layouts and B panels.
//
//go:noescape
func sgemm4x32AVX512(k int, a *float32, aRS, aKS int, b *float32, bStride int, c *float32, ldc int, res *float32, ldr int, bias *float32, flags uint, bNext *float32, act *Activation)

// archKernels lists the assembly kernels this CPU can run, slowest first.
func archKernels() []Kernel {
	var ks []Kernel
	if hasAVX2FMA {
		// Twelve ymm accumulators leave four registers: enough for the
		// clip and the LeakyReLU, not for the polynomials of the others.
		k := asmKernel("sgemm6x16AVX2", "avx2", 6, 16, sgemm6x16AVX2)
		k.acts = applyClip | applyLeaky
		ks = append(ks, k)
	}
	if hasAVX512 {
		k := asmKernel("sgemm12x32AVX512", "avx512", 12, 32, sgemm12x32AVX512)
		k.edge4 = asmKernel("sgemm4x32AVX512", "avx512", 4, 32, sgemm4x32AVX512).fn
		// Eight zmm registers are left beside the tile: room for every
		// activation, constants coming from memory by embedded broadcast.
		k.acts = kernelActs
		// Their epilogues load and store under lane masks (LOAD_COLMASK).
		k.ragged = true
		ks = append(ks, k)
	}
	return ks
}

type asmFunc func(k int, a *float32, aRS, aKS int, b *float32, bStride int, c *float32, ldc int, res *float32, ldr int, bias *float32, flags uint, bNext *float32, act *Activation)

// asmKernel wraps an assembly micro-kernel in the slice-based signature the
// driver calls. The assembly cannot check bounds, so the wrapper checks
// that every slice holds what the kernel reads or writes (checkTile) before
// passing it on as a pointer: a slip in the driver then panics here rather
// than corrupting memory.
func asmKernel(name, isa string, mr, nr int, fn asmFunc) Kernel {
	k := Kernel{Name: name, ISA: isa, MR: mr, NR: nr}
	k.MC, k.KC, k.NC = blockSizes(mr, nr)
	k.fn = func(kk int, a []float32, aRS, aKS int, b []float32, bStride int, c []float32, ldc int, res []float32, ldr int, bias []float32, flags uint, bNext []float32, act *Activation) {
		checkTile(name, mr, nr, kk, a, aRS, aKS, b, bStride, c, ldc, res, ldr, bias, flags, act)
		fn(kk, unsafe.SliceData(a), aRS, aKS, unsafe.SliceData(b), bStride, unsafe.SliceData(c), ldc,
			unsafe.SliceData(res), ldr, unsafe.SliceData(bias), flags, unsafe.SliceData(bNext), act)
	}
	return k
}
