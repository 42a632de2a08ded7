//go:build !amd64 || !gc || purego

package im2col

func copyRunsAsm(dst, src []float32, runs, n, stride int) { copyRunsGo(dst, src, runs, n, stride) }
