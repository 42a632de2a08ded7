//go:build amd64 && gc && !purego

package gemm

import "github.com/klauspost/cpuid/v2"

var hasAVX = cpuid.CPU.Supports(cpuid.AVX)

// packBRowsAVX is packBRowsGo for nr a multiple of 8.
//
//go:noescape
func packBRowsAVX(dst, src *float32, rows, ldb, panels, nr, panelStride int)

func packBRows(dst, src []float32, rows, ldb, panels, nr, panelStride int) {
	if !hasAVX || nr%8 != 0 {
		packBRowsGo(dst, src, rows, ldb, panels, nr, panelStride)
		return
	}
	packBRowsAVX(&dst[0], &src[0], rows, ldb, panels, nr, panelStride)
}
