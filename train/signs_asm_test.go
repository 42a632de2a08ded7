//go:build !purego

package train

// portableGemm is set when gemm runs without its assembly kernels, which
// makes the SIGNS training test ten times slower.
const portableGemm = false
