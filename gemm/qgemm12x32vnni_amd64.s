//go:build amd64 && gc && !purego

#include "textflag.h"

// The AVX512-VNNI int8 micro-kernels: u8 A strips times s8 B panels in
// groups of four k values (the layouts of QKernel), exact int32 sums.
// VPDPBUSD multiplies the four unsigned bytes of each 32-bit lane of its
// register operand by the four signed bytes of the same lane of its other
// operand and adds the four products to the lane: no intermediate is
// narrower than 32 bits, so nothing saturates.
//
// Register roles:
//   SI, AX, R13: A rows 0-3, 4-7 and 8-11 at the current group
//   R14: A row stride in bytes   R12: 3 × that   R10: A group step in bytes
//   DI: B panel at the current group (128 bytes a group: 32 columns × 4)
//   CX: groups left                     DX: C tile (dense, 128 bytes a row)
//   Z0, Z1: B group, columns 0-15 and 16-31
//   Z2, Z3: row i's four A bytes broadcast to every lane
//   Z8-Z31: the tile, row i in Z(8+2i) (columns 0-15) and Z(9+2i) (16-31)

// Row r of the group times the B group, into lo and hi (bc: the broadcast
// register to use, alternated so that consecutive rows do not wait on one).
#define DP_ROW(src, bc, lo, hi) \
	VPBROADCASTD src, bc \
	VPDPBUSD     Z0, bc, lo  \
	VPDPBUSD     Z1, bc, hi

#define LOAD_B \
	VMOVDQU32 (DI), Z0   \
	VMOVDQU32 64(DI), Z1

#define ZERO2(lo, hi) \
	VPXORD lo, lo, lo \
	VPXORD hi, hi, hi

#define STORE_ROW(off, lo, hi) \
	VMOVDQU32 lo, off(DX)    \
	VMOVDQU32 hi, off+64(DX)

// One group of the 12×32 tile.
#define GROUP12 \
	LOAD_B                      \
	DP_ROW((SI), Z2, Z8, Z9)          \
	DP_ROW((SI)(R14*1), Z3, Z10, Z11) \
	DP_ROW((SI)(R14*2), Z2, Z12, Z13) \
	DP_ROW((SI)(R12*1), Z3, Z14, Z15) \
	DP_ROW((AX), Z2, Z16, Z17)        \
	DP_ROW((AX)(R14*1), Z3, Z18, Z19) \
	DP_ROW((AX)(R14*2), Z2, Z20, Z21) \
	DP_ROW((AX)(R12*1), Z3, Z22, Z23) \
	DP_ROW((R13), Z2, Z24, Z25)       \
	DP_ROW((R13)(R14*1), Z3, Z26, Z27) \
	DP_ROW((R13)(R14*2), Z2, Z28, Z29) \
	DP_ROW((R13)(R12*1), Z3, Z30, Z31) \
	ADDQ R10, SI                      \
	ADDQ R10, AX                      \
	ADDQ R10, R13                     \
	ADDQ $128, DI

// func qgemm12x32AVX512VNNI(groups int, a *uint8, aRS, aKS int, b *int8, c *int32)
//
// The Go loop (qkernelGo for MR=12, NR=32, KGroup=4, AWidth=1):
//
//	for i < 12, j < 32:
//	    c[i*32+j] = Σ_{g < groups, t < 4} int32(a[i*aRS+g*aKS+t]) * int32(b[g*128+j*4+t])
//
// A packed in strips has aRS = 4 and aKS = 48; A read in place has
// aRS = lda and aKS = 4.
//
// Requires: AVX512F, AVX512_VNNI
TEXT ·qgemm12x32AVX512VNNI(SB), NOSPLIT, $0-48
	MOVQ groups+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ aRS+16(FP), R14
	MOVQ aKS+24(FP), R10
	MOVQ b+32(FP), DI
	MOVQ c+40(FP), DX
	LEAQ (R14)(R14*2), R12
	LEAQ (SI)(R14*4), AX
	LEAQ (AX)(R14*4), R13

	ZERO2(Z8, Z9)
	ZERO2(Z10, Z11)
	ZERO2(Z12, Z13)
	ZERO2(Z14, Z15)
	ZERO2(Z16, Z17)
	ZERO2(Z18, Z19)
	ZERO2(Z20, Z21)
	ZERO2(Z22, Z23)
	ZERO2(Z24, Z25)
	ZERO2(Z26, Z27)
	ZERO2(Z28, Z29)
	ZERO2(Z30, Z31)

	// Two groups an iteration, then the odd one.
	MOVQ CX, BX
	SHRQ $1, BX
	JZ   last12

loop12:
	GROUP12
	GROUP12
	DECQ BX
	JNZ  loop12

last12:
	TESTQ $1, CX
	JZ    store12
	GROUP12

store12:
	STORE_ROW(0, Z8, Z9)
	STORE_ROW(128, Z10, Z11)
	STORE_ROW(256, Z12, Z13)
	STORE_ROW(384, Z14, Z15)
	STORE_ROW(512, Z16, Z17)
	STORE_ROW(640, Z18, Z19)
	STORE_ROW(768, Z20, Z21)
	STORE_ROW(896, Z22, Z23)
	STORE_ROW(1024, Z24, Z25)
	STORE_ROW(1152, Z26, Z27)
	STORE_ROW(1280, Z28, Z29)
	STORE_ROW(1408, Z30, Z31)
	VZEROUPPER
	RET
