//go:build !amd64 || !gc || purego

package gemm

// archKernels: this build has no assembly kernels; the portable one serves.
func archKernels() []Kernel { return nil }
