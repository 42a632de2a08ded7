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
		ks = append(ks, asmQKernel("qgemm6x16AVX2", "avx2", 6, 16, 2, 2, qEpiAVX2, qgemm6x16AVX2))
	}
	if hasAVXVNNI {
		ks = append(ks, asmQKernel("qgemm6x16AVXVNNI", "avxvnni", 6, 16, 4, 1, qEpiAVX2, qgemm6x16AVXVNNI))
	}
	if hasAVX512VNNI {
		ks = append(ks, asmQKernel("qgemm12x32AVX512VNNI", "avx512vnni", 12, 32, 4, 1, bestQEpilogue(), qgemm12x32AVX512VNNI))
	}
	return ks
}

type asmQFunc func(groups int, a *uint8, aRS, aKS int, b *int8, c *int32)

// asmQKernel wraps an assembly int8 kernel in the slice-based signature the
// driver calls, checking first that the slices hold what it reads and
// writes: a slip in the driver then panics here instead of corrupting
// memory.
func asmQKernel(name, isaName string, mr, nr, kg, aw, epilogue int, fn asmQFunc) QKernel {
	k := QKernel{Name: name, ISA: isaName, MR: mr, NR: nr, KGroup: kg, AWidth: aw, inPlace: aw == 1, epilogue: epilogue}
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

// qEpilogueConsts are an epilogue's scalars.
type qEpilogueConsts struct {
	aZero, rZero int32
	rScale       float32
	outZero      int32
	lo, hi       float32 // the u8 clamp less the zero point
}

// qTileArgs are qEpilogueTileAVX512's operands, in the layout its assembly
// reads (offsets in the comments), which it never writes. Strides are in
// bytes.
type qTileArgs struct {
	acc       unsafe.Pointer  // 0
	accStride int             // 8
	out       unsafe.Pointer  // 16
	outStride int             // 24
	res       unsafe.Pointer  // 32: nil for none
	resStride int             // 40
	colSum    unsafe.Pointer  // 48
	bias      unsafe.Pointer  // 56: nil for none
	scale     unsafe.Pointer  // 64
	rows      int             // 72
	cols      int             // 80
	u8        int             // 88: 1 for a u8 output, 0 for float32
	k         qEpilogueConsts // 96
}

// qEpilogueTileAVX512 runs the u8 or float32 epilogue over a tile
// (qepilogue_amd64.s).
//
//go:noescape
func qEpilogueTileAVX512(t *qTileArgs)

// qEpilogueTileAVX2 is qEpilogueTileAVX512 on AVX2, for a column count
// that is a multiple of 8 (qepilogue_amd64.s).
//
//go:noescape
func qEpilogueTileAVX2(t *qTileArgs)

// The int8 epilogues this CPU runs, best last; qEpilogue is the one used,
// and the tests run every one.
const (
	qEpiGo = iota
	qEpiAVX2
	qEpiAVX512
)

// qEpilogue, when not -1, overrides the kernels' own epilogue (tests).
var qEpilogue = -1

func bestQEpilogue() int {
	switch {
	case hasAVX512BW:
		return qEpiAVX512
	case hasAVX2Int8:
		return qEpiAVX2
	}
	return qEpiGo
}

// qEpilogues lists the epilogues this CPU can run, for the tests.
func qEpilogues() []int {
	var es []int
	for e := qEpiGo; e <= bestQEpilogue(); e++ {
		if e == qEpiAVX2 && !hasAVX2Int8 {
			continue
		}
		es = append(es, e)
	}
	return es
}

func consts(p *QParams) qEpilogueConsts {
	return qEpilogueConsts{aZero: p.AZero, rZero: p.RZero, rScale: p.RScale, outZero: p.OutZero,
		lo: float32(int32(p.Lo) - p.OutZero), hi: float32(int32(p.Hi) - p.OutZero)}
}

// qFinishTile applies the epilogue to rows×cols sums of tile (leading
// dimension ldt), which belong at rows i.., columns j.. of the output:
// one assembly call for the tile where the CPU has AVX-512 BW.
func qFinishTile(p *QParams, tile []int32, ldt, i, rows, j, cols int) {
	epi := p.B.kern.epilogue
	if qEpilogue >= 0 {
		epi = qEpilogue
	}
	vec := cols
	if epi == qEpiAVX2 {
		vec = cols &^ 7
	}
	if epi == qEpiGo || p.C32 != nil || vec == 0 {
		qFinishTileGo(p, tile, ldt, i, rows, j, cols)
		return
	}
	t := tileArgs(p, tile, ldt, i, rows, j, vec)
	if epi == qEpiAVX512 {
		qEpilogueTileAVX512(&t)
		return
	}
	qEpilogueTileAVX2(&t)
	if vec < cols {
		for r := 0; r < rows; r++ {
			qFinishRow(p, tile[r*ldt+vec:r*ldt+cols], i+r, j+vec)
		}
	}
}

// tileArgs checks the bounds the assembly relies on, once, and returns its
// operands for cols columns.
func tileArgs(p *QParams, tile []int32, ldt, i, rows, j, cols int) qTileArgs {
	_ = tile[(rows-1)*ldt+cols-1]
	_, _ = p.B.colSum[j+cols-1], p.Scale[j+cols-1]
	t := qTileArgs{acc: unsafe.Pointer(&tile[0]), accStride: 4 * ldt,
		colSum: unsafe.Pointer(&p.B.colSum[j]), scale: unsafe.Pointer(&p.Scale[j]),
		rows: rows, cols: cols, k: consts(p)}
	last := (i+rows-1)*p.LDC + j + cols - 1
	if p.CF != nil {
		_ = p.CF[last]
		t.out, t.outStride = unsafe.Pointer(&p.CF[i*p.LDC+j]), 4*p.LDC
	} else {
		_ = p.C[last]
		t.out, t.outStride, t.u8 = unsafe.Pointer(&p.C[i*p.LDC+j]), p.LDC, 1
	}
	if p.Bias != nil {
		_ = p.Bias[j+cols-1]
		t.bias = unsafe.Pointer(&p.Bias[j])
	}
	if p.Residual != nil {
		_ = p.Residual[(i+rows-1)*p.LDR+j+cols-1]
		t.res, t.resStride = unsafe.Pointer(&p.Residual[i*p.LDR+j]), p.LDR
	}
	return t
}

// qDequantRow and qRequantRow are the selected vector epilogue on one
// row, for the tests against the Go ones.
func qDequantRow(e *qRowEpilogue, acc []int32, out []float32) {
	n := qRowVec(len(acc))
	if n > 0 {
		qRowAsm(e, acc[:n], unsafe.Pointer(&out[:n][0]), 0)
	}
	qDequantRowGo(e.from(n), acc[n:], out[n:len(acc)])
}

func qRequantRow(e *qRowEpilogue, acc []int32, out []uint8) {
	n := qRowVec(len(acc))
	if n > 0 {
		qRowAsm(e, acc[:n], unsafe.Pointer(&out[:n][0]), 1)
	}
	qRequantRowGo(e.from(n), acc[n:], out[n:len(acc)])
}

// qRowVec is how many of n values the selected assembly epilogue takes.
func qRowVec(n int) int {
	switch rowEpilogue() {
	case qEpiAVX512:
		return n
	case qEpiAVX2:
		return n &^ 7
	}
	return 0
}

// from returns e for the columns from c on.
func (e *qRowEpilogue) from(c int) *qRowEpilogue {
	f := *e
	f.colSum, f.scale = e.colSum[c:], e.scale[c:]
	if e.bias != nil {
		f.bias = e.bias[c:]
	}
	if e.res != nil {
		f.res = e.res[c:]
	}
	return &f
}

func qRowAsm(e *qRowEpilogue, acc []int32, out unsafe.Pointer, u8 int) {
	n := len(acc)
	_, _ = e.colSum[n-1], e.scale[n-1]
	t := qTileArgs{acc: unsafe.Pointer(&acc[0]), out: out, colSum: unsafe.Pointer(&e.colSum[0]),
		scale: unsafe.Pointer(&e.scale[0]), rows: 1, cols: n, u8: u8,
		k: qEpilogueConsts{aZero: e.aZero, rZero: e.rZero, rScale: e.rScale, outZero: e.outZero,
			lo: float32(int32(e.lo) - e.outZero), hi: float32(int32(e.hi) - e.outZero)}}
	if e.bias != nil {
		_ = e.bias[n-1]
		t.bias = unsafe.Pointer(&e.bias[0])
	}
	if e.res != nil {
		_ = e.res[n-1]
		t.res = unsafe.Pointer(&e.res[0])
	}
	if rowEpilogue() == qEpiAVX512 {
		qEpilogueTileAVX512(&t)
	} else {
		qEpilogueTileAVX2(&t)
	}
}

// rowEpilogue is the epilogue the row helpers use: the override, or the
// best one.
func rowEpilogue() int {
	if qEpilogue >= 0 {
		return qEpilogue
	}
	return bestQEpilogue()
}
