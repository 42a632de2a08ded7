package im2col

// copyRuns copies runs runs of n values, stride values apart in src, back
// to back into dst: an interior patch is KH kernel rows of KW·C values one
// input row apart. Those runs are short (21 values for conv1's 7×7 window
// over 3 channels), and a memmove call per run cost more than the copy
// itself; the assembly moves a whole patch per call.
func copyRuns(dst, src []float32, runs, n, stride int) {
	if runs <= 0 || n <= 0 {
		return
	}
	_ = dst[runs*n-1]
	_ = src[(runs-1)*stride+n-1]
	copyRunsAsm(dst, src, runs, n, stride)
}

// copyRunsGo is the portable twin of the assembly.
func copyRunsGo(dst, src []float32, runs, n, stride int) {
	for r := 0; r < runs; r++ {
		copy(dst[r*n:(r+1)*n], src[r*stride:r*stride+n])
	}
}
