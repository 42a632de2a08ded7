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
func sgemm6x16AVX2(k int, a *float32, aRS, aKS int, b *float32, bStride int, c *float32, ldc int, res *float32, ldr int, bias *float32, flags uint, bNext *float32)

// sgemm12x32AVX512 is the micro-kernel of microKernel's doc comment for a
// 12×32 tile (MR=12, NR=32) in twenty-four zmm accumulators. A's row stride
// aRS and k step aKS are in elements.
//
//go:noescape
func sgemm12x32AVX512(k int, a *float32, aRS, aKS int, b *float32, bStride int, c *float32, ldc int, res *float32, ldr int, bias *float32, flags uint, bNext *float32)

// sgemm4x32AVX512 is the micro-kernel of microKernel's doc comment for a
// 4×32 tile (MR=4, NR=32): the edge kernel of sgemm12x32AVX512 for strips
// of at most 8 rows, which reads the same A layouts and B panels.
//
//go:noescape
func sgemm4x32AVX512(k int, a *float32, aRS, aKS int, b *float32, bStride int, c *float32, ldc int, res *float32, ldr int, bias *float32, flags uint, bNext *float32)

// archKernels lists the assembly kernels this CPU can run, slowest first.
func archKernels() []Kernel {
	var ks []Kernel
	if hasAVX2FMA {
		ks = append(ks, asmKernel("sgemm6x16AVX2", "avx2", 6, 16, sgemm6x16AVX2))
	}
	if hasAVX512 {
		k := asmKernel("sgemm12x32AVX512", "avx512", 12, 32, sgemm12x32AVX512)
		k.edge4 = asmKernel("sgemm4x32AVX512", "avx512", 4, 32, sgemm4x32AVX512).fn
		ks = append(ks, k)
	}
	return ks
}

type asmFunc func(k int, a *float32, aRS, aKS int, b *float32, bStride int, c *float32, ldc int, res *float32, ldr int, bias *float32, flags uint, bNext *float32)

// asmKernel wraps an assembly micro-kernel in the slice-based signature the
// driver calls. The assembly cannot check bounds, so the wrapper checks
// that every slice holds what the kernel reads or writes (checkTile) before
// passing it on as a pointer: a slip in the driver then panics here rather
// than corrupting memory.
func asmKernel(name, isa string, mr, nr int, fn asmFunc) Kernel {
	k := Kernel{Name: name, ISA: isa, MR: mr, NR: nr}
	k.MC, k.KC, k.NC = blockSizes(mr, nr)
	k.fn = func(kk int, a []float32, aRS, aKS int, b []float32, bStride int, c []float32, ldc int, res []float32, ldr int, bias []float32, flags uint, bNext []float32) {
		checkTile(name, mr, nr, kk, a, aRS, aKS, b, bStride, c, ldc, res, ldr, bias, flags)
		fn(kk, unsafe.SliceData(a), aRS, aKS, unsafe.SliceData(b), bStride, unsafe.SliceData(c), ldc,
			unsafe.SliceData(res), ldr, unsafe.SliceData(bias), flags, unsafe.SliceData(bNext))
	}
	return k
}
