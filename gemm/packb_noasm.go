//go:build !amd64 || !gc || purego

package gemm

func packBRows(dst, src []float32, rows, ldb, panels, nr, panelStride int) {
	packBRowsGo(dst, src, rows, ldb, panels, nr, panelStride)
}
