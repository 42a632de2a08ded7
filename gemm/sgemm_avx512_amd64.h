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

// Sets the column masks of the epilogue from the flags (R11): K3 for
// columns 0-15 and K4 for 16-31, all set but for the last flags>>colSkipShift
// columns, which lie outside C (a ragged edge tile). Every load and store of
// C, the residual and the bias goes through them, so an edge tile is
// computed in place and nothing past its last column is read or written
// (masked lanes never fault). Uses CX and BX, free once the k loop is done.
#define LOAD_COLMASK \
	MOVQ  R11, CX  \
	SHRQ  $32, CX  \
	MOVL  $-1, BX  \
	SHRL  CX, BX   \
	KMOVW BX, K3   \
	SHRL  $16, BX  \
	KMOVW BX, K4

// Adds the C row (the accumulate flag), then steps to the next row.
#define ADDC_ROW(lo, hi) \
	VADDPS (R12), lo, K3, lo   \
	VADDPS 64(R12), hi, K4, hi \
	ADDQ   R9, R12

// Adds the residual row, then steps to the next one.
#define ADDRES_ROW(lo, hi) \
	VADDPS (R13), lo, K3, lo   \
	VADDPS 64(R13), hi, K4, hi \
	ADDQ   R14, R13

// Loads the bias into Z0 and Z1 (R10: its address).
#define LOAD_BIAS \
	VMOVUPS.Z (R10), K3, Z0 \
	VMOVUPS.Z 64(R10), K4, Z1

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

// The constants of actConsts (epilogue_amd64.go), by byte offset.
#define K_SIGN ·actConsts+0(SB)
#define K_LOG2E ·actConsts+4(SB)
#define K_LN2HI ·actConsts+8(SB)
#define K_LN2LO ·actConsts+12(SB)
#define K_C6 ·actConsts+16(SB)
#define K_C5 ·actConsts+20(SB)
#define K_C4 ·actConsts+24(SB)
#define K_C3 ·actConsts+28(SB)
#define K_C2 ·actConsts+32(SB)
#define K_BIAS ·actConsts+36(SB)
#define K_CUT ·actConsts+40(SB)
#define K_THREE ·actConsts+44(SB)
#define K_SIX ·actConsts+48(SB)
#define K_SIXTH ·actConsts+52(SB)
#define K_ONE ·actConsts+56(SB)

// Loads hard_swish's zero (Z0) and 6 (Z3).
#define LOAD_HSWISH \
	VPXORD       Z0, Z0, Z0 \
	VBROADCASTSS K_SIX, Z3

// x·min(max(x+3, 0), 6)·(1/6) in place, as vec.Activate; Z1 is scratch.
#define HSWISH(x) \
	VADDPS.BCST K_THREE, x, Z1 \
	VMAXPS      Z1, Z0, Z1     \
	VMINPS      Z1, Z3, Z1     \
	VMULPS      Z1, x, x       \
	VMULPS.BCST K_SIXTH, x, x

#define HSWISH_ROW(lo, hi) \
	HSWISH(lo) \
	HSWISH(hi)

// Loads sigmoid's 1.0 (Z6) and sign mask (Z7).
#define LOAD_SIGMOID \
	VBROADCASTSS K_ONE, Z6 \
	VPBROADCASTD K_SIGN, Z7

// Z5 = sigmoid(x), as vec's sigmoid, operation for operation: z = -|x|;
// n = round(z·log2e); t = z - n·ln2hi - n·ln2lo; p = e^t by Horner;
// e = p·2^n; f = e/(e+1), 0 where z < CUT; then f where x is negative and
// 1-f elsewhere. Z1-Z4 are scratch, K1 and K2 lane masks.
#define SIGMOID(x) \
	VPORD        Z7, x, Z1              \
	VMULPS.BCST  K_LOG2E, Z1, Z2        \
	VRNDSCALEPS  $0, Z2, Z2             \
	VMULPS.BCST  K_LN2HI, Z2, Z3        \
	VSUBPS       Z3, Z1, Z3             \
	VMULPS.BCST  K_LN2LO, Z2, Z4        \
	VSUBPS       Z4, Z3, Z3             \
	VBROADCASTSS K_C6, Z4               \
	VMULPS       Z3, Z4, Z4             \
	VADDPS.BCST  K_C5, Z4, Z4           \
	VMULPS       Z3, Z4, Z4             \
	VADDPS.BCST  K_C4, Z4, Z4           \
	VMULPS       Z3, Z4, Z4             \
	VADDPS.BCST  K_C3, Z4, Z4           \
	VMULPS       Z3, Z4, Z4             \
	VADDPS.BCST  K_C2, Z4, Z4           \
	VMULPS       Z3, Z4, Z4             \
	VADDPS       Z6, Z4, Z4             \
	VMULPS       Z3, Z4, Z4             \
	VADDPS       Z6, Z4, Z4             \
	VCVTTPS2DQ   Z2, Z2                 \
	VPADDD.BCST  K_BIAS, Z2, Z2         \
	VPSLLD       $23, Z2, Z2            \
	VMULPS       Z2, Z4, Z4             \
	VADDPS       Z6, Z4, Z5             \
	VDIVPS       Z5, Z4, Z4             \
	VCMPPS.BCST  $1, K_CUT, Z1, K1      \
	VPXORD       Z4, Z4, K1, Z4         \
	VSUBPS       Z4, Z6, Z5             \
	VPTESTMD     Z7, x, K2              \
	VMOVAPS      Z4, K2, Z5

#define SIGMOID_ROW(lo, hi) \
	SIGMOID(lo)        \
	VMOVAPS Z5, lo     \
	SIGMOID(hi)        \
	VMOVAPS Z5, hi

#define SILU_ROW(lo, hi) \
	SIGMOID(lo)        \
	VMULPS Z5, lo, lo  \
	SIGMOID(hi)        \
	VMULPS Z5, hi, hi

// Stores the row, then steps to the next one.
#define STORE_ROW(lo, hi) \
	VMOVUPS lo, K3, (R12)   \
	VMOVUPS hi, K4, 64(R12) \
	ADDQ    R9, R12
