//go:build !amd64 || !gc || purego

package gemm

// packBRows is packBRowsGo, after the same checks as the assembly's wrapper
// (a slice of B may be re-sliced past its length within its capacity, so
// the twin's own bounds checks would not catch every short slice).
func packBRows(dst, src []float32, rows, ldb, panels, nr, panelStride int) {
	if rows <= 0 || panels <= 0 {
		return
	}
	checkPackBRows(len(dst), len(src), rows, ldb, panels, nr, panelStride)
	packBRowsGo(dst, src, rows, ldb, panels, nr, panelStride)
}
