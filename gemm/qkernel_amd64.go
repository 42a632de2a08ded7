//go:build amd64 && gc && !purego

package gemm

// archQKernels lists the int8 assembly kernels this CPU can run, slowest
// first.
func archQKernels() []QKernel { return nil }

func qDequantRow(e *qRowEpilogue, acc []int32, out []float32) { qDequantRowGo(e, acc, out) }
func qRequantRow(e *qRowEpilogue, acc []int32, out []uint8)   { qRequantRowGo(e, acc, out) }
