// Macros shared by the AVX-512 micro-kernels, sgemm12x32AVX512 and its
// 4-row edge kernel sgemm4x32AVX512. A C row is two zmm registers, lo for
// columns 0-15 and hi for 16-31; the B row is in Z0, Z1 and broadcast A
// values in Z2, Z3. In the epilogue R12 walks C (R9 its stride in bytes)
// and R13 the residual (R14 its stride).

// Two A rows times the B row; src0 and src1 address the A values.
#define FMA_PAIR(src0, src1, r0lo, r0hi, r1lo, r1hi) \
	VBROADCASTSS src0, Z2       \
	VBROADCASTSS src1, Z3       \
	VFMADD231PS  Z0, Z2, r0lo   \
	VFMADD231PS  Z1, Z2, r0hi   \
	VFMADD231PS  Z0, Z3, r1lo   \
	VFMADD231PS  Z1, Z3, r1hi

// Adds the C row (the accumulate flag), then steps to the next row.
#define ADDC_ROW(lo, hi) \
	VADDPS (R12), lo, lo   \
	VADDPS 64(R12), hi, hi \
	ADDQ   R9, R12

// Adds the residual row, then steps to the next one.
#define ADDRES_ROW(lo, hi) \
	VADDPS (R13), lo, lo   \
	VADDPS 64(R13), hi, hi \
	ADDQ   R14, R13

// Adds the bias, held in Z0 and Z1.
#define ADDBIAS_ROW(lo, hi) \
	VADDPS Z0, lo, lo \
	VADDPS Z1, hi, hi

// Clamps at zero (Z2). VMAXPS returns its second source, the row, when
// either is NaN, so a NaN passes through as it does with Go's max.
#define RELU_ROW(lo, hi) \
	VMAXPS lo, Z2, lo \
	VMAXPS hi, Z2, hi

// Clamps to [Z0, Z1] = [lo, hi] with MAXPS then MINPS, the bound first as
// vec.Activate does, so a NaN passes through.
#define CLIP_ROW(lo, hi) \
	VMAXPS lo, Z0, lo \
	VMAXPS hi, Z0, hi \
	VMINPS lo, Z1, lo \
	VMINPS hi, Z1, hi

// Multiplies by the slope in Z0 the lanes whose sign bit (Z3) is set:
// VPTESTMD picks them into K1, K2 and the multiply merges under the mask.
#define LEAKY_ROW(lo, hi) \
	VPTESTMD Z3, lo, K1     \
	VPTESTMD Z3, hi, K2     \
	VMULPS   Z0, lo, K1, lo \
	VMULPS   Z0, hi, K2, hi

// Loads the clip bounds from act (R10) into Z0, Z1.
#define LOAD_CLIP \
	MOVQ         act+104(FP), R10 \
	VBROADCASTSS 4(R10), Z0       \
	VBROADCASTSS 8(R10), Z1

// Loads the LeakyReLU slope into Z0 and the sign mask into Z3.
#define LOAD_LEAKY \
	MOVQ         act+104(FP), R10 \
	VBROADCASTSS 12(R10), Z0      \
	MOVL         $0x80000000, BX  \
	VMOVD        BX, X3           \
	VPBROADCASTD X3, Z3

// Stores the row, then steps to the next one.
#define STORE_ROW(lo, hi) \
	VMOVUPS lo, (R12)   \
	VMOVUPS hi, 64(R12) \
	ADDQ    R9, R12
