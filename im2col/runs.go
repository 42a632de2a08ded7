package im2col

import (
	"fmt"
	"math"
)

// copyRuns copies runs runs of n values, stride values apart in src, back
// to back into dst: an interior patch is KH kernel rows of KW·C values one
// input row apart. Those runs are short (21 values for conv1's 7×7 window
// over 3 channels), and a memmove call per run cost more than the copy
// itself; the assembly moves a whole patch per call.
func copyRuns(dst, src []float32, runs, n, stride int) {
	if runs <= 0 || n <= 0 {
		return
	}
	copyRunsAsm(dst, src, runs, n, stride)
}

// checkRuns panics unless dst holds runs·n values and src runs runs of n
// values stride apart (runs, n ≥ 1), computing both extents only where
// they fit in an int: the assembly cannot check bounds, and a wrapped
// extent would pass any slice.
func checkRuns(dst, src []float32, runs, n, stride int) {
	if stride < 0 || stride > 0 && runs-1 > (math.MaxInt-n)/stride || runs > math.MaxInt/n {
		panic(fmt.Sprintf("im2col: %d runs of %d values, %d apart, are out of range", runs, n, stride))
	}
	if len(dst) < runs*n || len(src) < (runs-1)*stride+n {
		panic(fmt.Sprintf("im2col: %d runs of %d values, %d apart, need len(src) ≥ %d and len(dst) ≥ %d, have %d and %d",
			runs, n, stride, (runs-1)*stride+n, runs*n, len(src), len(dst)))
	}
}

// copyRunsGo is the portable twin of the assembly.
func copyRunsGo(dst, src []float32, runs, n, stride int) {
	for r := 0; r < runs; r++ {
		copy(dst[r*n:(r+1)*n], src[r*stride:r*stride+n])
	}
}
