//go:build !amd64 || !gc || purego

package gemm

// archQKernels: this build has no int8 assembly kernels; the portable one
// serves.
func archQKernels() []QKernel { return nil }

// The epilogues are the Go ones.
func qFinishTile(p *QParams, tile []int32, ldt, i, rows, j, cols int) {
	qFinishTileGo(p, tile, ldt, i, rows, j, cols)
}

func qDequantRow(e *qRowEpilogue, acc []int32, out []float32) { qDequantRowGo(e, acc, out) }
func qRequantRow(e *qRowEpilogue, acc []int32, out []uint8)   { qRequantRowGo(e, acc, out) }

// qEpilogues: only the Go epilogue.
func qEpilogues() []int { return []int{0} }

var qEpilogue = -1

func bestQEpilogue() int { return 0 }
