//go:build amd64 && gc && !purego

package gemm

import "github.com/klauspost/cpuid/v2"

var hasAVX = cpuid.CPU.Supports(cpuid.AVX)

// packBRowsAVX is packBRowsGo for nr a multiple of 8.
//
//go:noescape
func packBRowsAVX(dst, src *float32, rows, ldb, panels, nr, panelStride int)

// packBRows is packBRowsGo, in assembly where the CPU has AVX. The assembly
// cannot check bounds, so the extents it reads and writes are checked here
// first (for the twin too, whose re-slicing within capacity would let a
// short slice through).
func packBRows(dst, src []float32, rows, ldb, panels, nr, panelStride int) {
	if rows <= 0 || panels <= 0 {
		return
	}
	checkPackBRows(len(dst), len(src), rows, ldb, panels, nr, panelStride)
	if !hasAVX || nr%8 != 0 {
		packBRowsGo(dst, src, rows, ldb, panels, nr, panelStride)
		return
	}
	packBRowsAVX(&dst[0], &src[0], rows, ldb, panels, nr, panelStride)
}
