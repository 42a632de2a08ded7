//go:build amd64 && gc && !purego

package im2col

import "github.com/klauspost/cpuid/v2"

// hasAVX is read once: the assembly run copy needs AVX.
var hasAVX = cpuid.CPU.Supports(cpuid.AVX)

// copyRunsAVX2 is copyRunsGo; it reads runs·n values at stride apart and
// writes runs·n values (runs, n ≥ 1), which copyRunsAsm checks are in
// bounds first.
//
//go:noescape
func copyRunsAVX2(dst, src *float32, runs, n, stride int)

func copyRunsAsm(dst, src []float32, runs, n, stride int) {
	if !hasAVX {
		copyRunsGo(dst, src, runs, n, stride)
		return
	}
	checkRuns(dst, src, runs, n, stride)
	copyRunsAVX2(&dst[0], &src[0], runs, n, stride)
}
