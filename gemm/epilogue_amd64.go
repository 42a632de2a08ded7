//go:build amd64 && gc && !purego

package gemm

// actConsts are the constants of the AVX-512 kernels' hard_swish, sigmoid
// and SiLU (sgemm_avx512_amd64.h), as float32 bits: the values of
// internal/vec's activate.go, so that the kernels compute what
// vec.Activate computes, operation for operation. The assembly reads them
// with embedded broadcasts, by byte offset (4 × index).
var actConsts = [...]uint32{
	0:  0x80000000, // sign bit
	1:  0x3fb8aa3b, // log2(e)
	2:  0x3f317200, // ln2, high part
	3:  0x35bfbe8e, // ln2, low part
	4:  0x3ab60b61, // 1/720
	5:  0x3c088889, // 1/120
	6:  0x3d2aaaab, // 1/24
	7:  0x3e2aaaab, // 1/6
	8:  0x3f000000, // 1/2
	9:  127,        // float32 exponent bias (an integer)
	10: 0xc2aeac4f, // -87.33654, ln of the smallest normal float32
	11: 0x40400000, // 3
	12: 0x40c00000, // 6
	13: 0x3e2aaaab, // 1/6
	14: 0x3f800000, // 1
}
