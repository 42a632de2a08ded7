//go:build amd64 && gc && !purego

package gemm

import (
	"fmt"
	"unsafe"

	"github.com/klauspost/cpuid/v2"
)

// CPU features of the int8 kernels, read once.
var (
	hasAVX2Int8   = cpuid.CPU.Supports(cpuid.AVX, cpuid.AVX2)
	hasAVXVNNI    = cpuid.CPU.Supports(cpuid.AVX, cpuid.AVX2, cpuid.AVXVNNI)
	hasAVX512VNNI = cpuid.CPU.Supports(cpuid.AVX512F, cpuid.AVX512VNNI)
)

//go:generate go run qgen_ymm.go

// qgemm6x16AVX2 is qMicroKernel for a 6×16 tile in twelve ymm accumulators,
// on AVX2 alone: VPMADDWD on k pairs widened to 16 bits, exact
// (qgemm6x16avx2_amd64.s, generated). A is always packed.
//
//go:noescape
func qgemm6x16AVX2(groups int, a *uint8, aRS, aKS int, b *int8, c *int32)

// qgemm6x16AVXVNNI is qMicroKernel for a 6×16 tile in twelve ymm
// accumulators with AVX-VNNI's VEX-encoded VPDPBUSD, for the CPUs that have
// it without AVX-512 (qgemm6x16avxvnni_amd64.s, generated).
//
//go:noescape
func qgemm6x16AVXVNNI(groups int, a *uint8, aRS, aKS int, b *int8, c *int32)

// qgemm12x32AVX512VNNI is qMicroKernel for a 12×32 tile in twenty-four zmm
// accumulators (qgemm12x32vnni_amd64.s).
//
//go:noescape
func qgemm12x32AVX512VNNI(groups int, a *uint8, aRS, aKS int, b *int8, c *int32)

// archQKernels lists the int8 assembly kernels this CPU can run, slowest
// first.
func archQKernels() []QKernel {
	var ks []QKernel
	if hasAVX2Int8 {
		ks = append(ks, asmQKernel("qgemm6x16AVX2", "avx2", 6, 16, 2, 2, qgemm6x16AVX2))
	}
	if hasAVXVNNI {
		ks = append(ks, asmQKernel("qgemm6x16AVXVNNI", "avxvnni", 6, 16, 4, 1, qgemm6x16AVXVNNI))
	}
	if hasAVX512VNNI {
		ks = append(ks, asmQKernel("qgemm12x32AVX512VNNI", "avx512vnni", 12, 32, 4, 1, qgemm12x32AVX512VNNI))
	}
	return ks
}

type asmQFunc func(groups int, a *uint8, aRS, aKS int, b *int8, c *int32)

// asmQKernel wraps an assembly int8 kernel in the slice-based signature the
// driver calls, checking first that the slices hold what it reads and
// writes: a slip in the driver then panics here instead of corrupting
// memory.
func asmQKernel(name, isaName string, mr, nr, kg, aw int, fn asmQFunc) QKernel {
	k := QKernel{Name: name, ISA: isaName, MR: mr, NR: nr, KGroup: kg, AWidth: aw, inPlace: aw == 1}
	k.MC = qBlockRows(mr)
	panel := k.panelBytes(1)
	k.fn = func(groups int, a []uint8, aRS, aKS int, b []int8, c []int32) {
		// The last byte read is row mr-1's last of group groups-1.
		need := (mr-1)*aRS + (groups-1)*aKS + (kg-1)*aw + 1
		if groups < 1 || aRS < 1 || aKS < 1 || len(a) < need || len(b) < groups*panel || len(c) < mr*nr {
			panic(fmt.Sprintf("gemm: %s: groups = %d, strides %d, %d with len(a) = %d, len(b) = %d, len(c) = %d",
				name, groups, aRS, aKS, len(a), len(b), len(c)))
		}
		fn(groups, unsafe.SliceData(a), aRS, aKS, unsafe.SliceData(b), unsafe.SliceData(c))
	}
	return k
}

// hasAVX512BW: the vector epilogue loads bytes under a lane mask.
var hasAVX512BW = cpuid.CPU.Supports(cpuid.AVX512F, cpuid.AVX512BW)

// qEpilogueConsts are a row epilogue's scalars in the layout
// qEpilogueAVX512 reads.
type qEpilogueConsts struct {
	aZero, rZero int32
	rScale       float32
	outZero      int32
	lo, hi       float32 // the u8 clamp less the zero point
}

// qEpilogueAVX512 is qRequantRowGo (u8) or qDequantRowGo (!u8) on n values,
// sixteen lanes at a time (qepilogue_amd64.s). bias and res may be nil.
//
//go:noescape
func qEpilogueAVX512(n int, acc *int32, colSum *int32, bias *int32, scale *float32, res *uint8, out unsafe.Pointer, k *qEpilogueConsts, u8 bool)

func (e *qRowEpilogue) consts() qEpilogueConsts {
	return qEpilogueConsts{aZero: e.aZero, rZero: e.rZero, rScale: e.rScale, outZero: e.outZero,
		lo: float32(int32(e.lo) - e.outZero), hi: float32(int32(e.hi) - e.outZero)}
}

// qEpilogueArgs checks that every operand of e holds n values and returns
// the pointers the assembly takes.
func (e *qRowEpilogue) args(n int) (colSum, bias *int32, scale *float32, res *uint8) {
	_, _ = e.colSum[n-1], e.scale[n-1]
	if e.bias != nil {
		_ = e.bias[n-1]
		bias = &e.bias[0]
	}
	if e.res != nil {
		_ = e.res[n-1]
		res = &e.res[0]
	}
	return &e.colSum[0], bias, &e.scale[0], res
}

func qDequantRow(e *qRowEpilogue, acc []int32, out []float32) {
	n := len(acc)
	if !hasAVX512BW || n == 0 {
		qDequantRowGo(e, acc, out)
		return
	}
	_ = out[n-1]
	k := e.consts()
	colSum, bias, scale, res := e.args(n)
	qEpilogueAVX512(n, &acc[0], colSum, bias, scale, res, unsafe.Pointer(&out[0]), &k, false)
}

func qRequantRow(e *qRowEpilogue, acc []int32, out []uint8) {
	n := len(acc)
	if !hasAVX512BW || n == 0 {
		qRequantRowGo(e, acc, out)
		return
	}
	_ = out[n-1]
	k := e.consts()
	colSum, bias, scale, res := e.args(n)
	qEpilogueAVX512(n, &acc[0], colSum, bias, scale, res, unsafe.Pointer(&out[0]), &k, true)
}
