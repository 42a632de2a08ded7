//go:build !amd64 || !gc || purego

package dwconv

// archKernels: this build has no assembly kernels; the portable one serves.
func archKernels() []Kernel { return nil }

// run is rowKernel with the portable kernel, the only one in this build.
func (k *Kernel) run(out []float32, outStride int, in []*float32, step, width, channels int, w []float32, lo, hi float32) {
	rowGo(out, outStride, in, step, width, channels, w, lo, hi)
}
