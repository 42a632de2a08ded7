// Package gemm is simdnet's single-precision matrix multiply (SGEMM).
//
// It computes, for row-major float32 matrices,
//
//	C = act(alpha·op(A)·op(B) + beta·C + bias per column + residual R)
//
// with op = identity or transpose on either side. The structure follows BLIS:
// five loops (NC, KC, MC, NR, MR) around a register-blocked micro-kernel that
// runs only the k loop. The kernels read A with a row stride and a k step, so
// the same kernel takes A packed in MR-row strips, A read in place (row-major,
// no packing at all: what non-transposed products do unless lda would alias
// in L1) or a row-major MC×KC block copied with memmove (RowPacker); B comes
// packed in NR-wide panels or, for products with few rows, in place. Edge
// strips of at most 8 rows run a 4-row kernel where there is one. Packing of
// A and B lives in pack.go, the loops in driver.go, the threads in
// parallel.go and the micro-kernels in kernel_*.go and *_amd64.s.
//
// A Kernel descriptor carries a micro-kernel's name, its MR×NR tile and its
// block sizes, so packing always follows whichever kernel runs. The best
// kernel the CPU supports is chosen once at start-up (see Selected); the
// environment variable SIMDNET_KERNEL=generic|avx2|avx512 forces a lower one,
// and the purego build tag leaves only the portable Go kernel.
//
// Two extensions serve convolution layers: a caller may pack the A operand
// itself (APacker, and RowPacker for row-major blocks), so that im2col writes
// patches straight into a layout the kernel reads, and a weight matrix may be packed once (PackedB) and reused on
// every call. The epilogue (Bias, Residual, then an activation: ReLU,
// clip/ReLU6, LeakyReLU, hard_swish, sigmoid or SiLU, given as a kind and
// its parameters in Params.Act) is applied to each C tile while it is still
// hot: in registers (bias, residual, ReLU, clip, LeakyReLU in every kernel;
// hard_swish, sigmoid and SiLU too in the AVX-512 ones) or else in L1, by
// internal/vec's AVX2 routine on the tile the kernel has just stored. Both
// ways compute the same bits.
//
// The int8 product (RunQ, qgemm.go) multiplies u8 activations by s8 weights
// packed once (PackS8), exactly in int32, and requantizes to u8 or
// dequantizes to float32 in the epilogue (zero points, per-column scales,
// bias, a u8 residual, a clamp for ReLU/ReLU6). Its kernels run only the k
// loop too, in groups of four k values a 32-bit lane (VPDPBUSD:
// qgemm12x32AVX512VNNI, qgemm6x16AVXVNNI) or two (qgemm6x16AVX2, on values
// widened to 16 bits so that nothing saturates), each with its Go twin
// (qkernelGo); the driver (qdriver.go) packs B over its whole depth, so
// there is no KC loop, and reads A in place where it can. The environment
// variable SIMDNET_QKERNEL=generic|avx2|avxvnni|avx512vnni forces one.
//
// Programmer errors (negative sizes, short slices, small leading dimensions)
// panic with a message naming the argument, as reference BLAS does.
package gemm
