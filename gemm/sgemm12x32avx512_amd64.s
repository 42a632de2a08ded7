//go:build amd64 && gc && !purego

#include "textflag.h"
#include "sgemm_avx512_amd64.h"

// Register roles in sgemm12x32AVX512:
//   SI, AX, R13: A rows 0-3, 4-7 and 8-11 at the current k
//   R14: A row stride in bytes             R12: 3 × A row stride (k loop only)
//   R10: A k step in bytes (k loop only)   DI: B row (32 floats per k)
//   R8: B row stride in bytes              CX, BX: k iterations left
//   R15: next B panel to prefetch into L2 (bNext), a line per 4 k steps
//   Z0, Z1: B row                          Z2, Z3: broadcast A values
//   Z8-Z31: C tile, row i in Z(8+2i) (columns 0-15) and Z(9+2i) (16-31)
// Epilogue: R12 walks C, R13 the residual (R14 its stride), R10 the bias,
// then act (clip bounds in Z0, Z1; LeakyReLU slope in Z0, sign mask in Z3,
// lane masks in K1, K2; hard_swish, sigmoid and SiLU use Z0-Z7, K1, K2).
// A packed in strips has row stride 4 bytes and k step 48; A read in place
// from a row-major matrix has row stride 4·lda and k step 4.

// One k step: 32 B values times 12 A values into the 12×32 tile.
#define KSTEP12x32 \
	VMOVUPS (DI), Z0                                      \
	VMOVUPS 64(DI), Z1                                    \
	FMA_PAIR((SI), (SI)(R14*1), Z8, Z9, Z10, Z11)         \
	FMA_PAIR((SI)(R14*2), (SI)(R12*1), Z12, Z13, Z14, Z15) \
	FMA_PAIR((AX), (AX)(R14*1), Z16, Z17, Z18, Z19)       \
	FMA_PAIR((AX)(R14*2), (AX)(R12*1), Z20, Z21, Z22, Z23) \
	FMA_PAIR((R13), (R13)(R14*1), Z24, Z25, Z26, Z27)     \
	FMA_PAIR((R13)(R14*2), (R13)(R12*1), Z28, Z29, Z30, Z31) \
	ADDQ    R10, SI                                       \
	ADDQ    R10, AX                                       \
	ADDQ    R10, R13                                      \
	ADDQ    R8, DI

// Warms a C row and steps BX to the next (R9: ldc in bytes).
#define PREFETCH_ROW \
	PREFETCHT0 (BX)   \
	PREFETCHT0 64(BX) \
	ADDQ       R9, BX

#define ZERO2(lo, hi) \
	VPXORD lo, lo, lo \
	VPXORD hi, hi, hi

// func sgemm12x32AVX512(k int, a *float32, aRS, aKS int, b *float32, bStride int, c *float32, ldc int, res *float32, ldr int, bias *float32, flags uint, bNext *float32, act *Activation)
// Requires: AVX512F
TEXT ·sgemm12x32AVX512(SB), NOSPLIT, $0-112
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ aRS+16(FP), R14
	SHLQ $2, R14
	MOVQ aKS+24(FP), R10
	SHLQ $2, R10
	LEAQ (R14)(R14*2), R12
	LEAQ (SI)(R14*4), AX
	LEAQ (AX)(R14*4), R13
	MOVQ b+32(FP), DI
	MOVQ bStride+40(FP), R8
	SHLQ $2, R8
	MOVQ c+48(FP), DX
	MOVQ ldc+56(FP), R9
	SHLQ $2, R9
	MOVQ flags+88(FP), R11
	MOVQ bNext+96(FP), R15

	// Warm the C rows the epilogue will touch while the k loop runs.
	MOVQ DX, BX
	PREFETCH_ROW
	PREFETCH_ROW
	PREFETCH_ROW
	PREFETCH_ROW
	PREFETCH_ROW
	PREFETCH_ROW
	PREFETCH_ROW
	PREFETCH_ROW
	PREFETCH_ROW
	PREFETCH_ROW
	PREFETCH_ROW
	PREFETCH_ROW

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

	// Four k steps per trip, then the remainder one at a time.
	MOVQ  CX, BX
	SHRQ  $2, BX
	ANDQ  $3, CX
	TESTQ BX, BX
	JZ    tail

loop4:
	PREFETCHT0 (DI)(R8*8)
	PREFETCHT0 64(DI)(R8*8)
	KSTEP12x32
	PREFETCHT0 (DI)(R8*8)
	PREFETCHT0 64(DI)(R8*8)
	KSTEP12x32
	PREFETCHT0 (DI)(R8*8)
	PREFETCHT0 64(DI)(R8*8)
	KSTEP12x32
	PREFETCHT0 (DI)(R8*8)
	PREFETCHT0 64(DI)(R8*8)
	KSTEP12x32
	PREFETCHT1 (R15) // the next B panel, into L2 (bNext)
	ADDQ       $64, R15
	DECQ       BX
	JNZ        loop4

tail:
	TESTQ CX, CX
	JZ    epilogue

loop1:
	KSTEP12x32
	DECQ CX
	JNZ  loop1

epilogue:
	LOAD_COLMASK
	TESTQ $1, R11
	JZ    residual
	MOVQ  DX, R12
	ADDC_ROW(Z8, Z9)
	ADDC_ROW(Z10, Z11)
	ADDC_ROW(Z12, Z13)
	ADDC_ROW(Z14, Z15)
	ADDC_ROW(Z16, Z17)
	ADDC_ROW(Z18, Z19)
	ADDC_ROW(Z20, Z21)
	ADDC_ROW(Z22, Z23)
	ADDC_ROW(Z24, Z25)
	ADDC_ROW(Z26, Z27)
	ADDC_ROW(Z28, Z29)
	ADDC_ROW(Z30, Z31)

residual:
	TESTQ $8, R11
	JZ    bias
	MOVQ  res+64(FP), R13
	MOVQ  ldr+72(FP), R14
	SHLQ  $2, R14
	ADDRES_ROW(Z8, Z9)
	ADDRES_ROW(Z10, Z11)
	ADDRES_ROW(Z12, Z13)
	ADDRES_ROW(Z14, Z15)
	ADDRES_ROW(Z16, Z17)
	ADDRES_ROW(Z18, Z19)
	ADDRES_ROW(Z20, Z21)
	ADDRES_ROW(Z22, Z23)
	ADDRES_ROW(Z24, Z25)
	ADDRES_ROW(Z26, Z27)
	ADDRES_ROW(Z28, Z29)
	ADDRES_ROW(Z30, Z31)

bias:
	TESTQ   $2, R11
	JZ      relu
	MOVQ    bias+80(FP), R10
	LOAD_BIAS
	ADDBIAS_ROW(Z8, Z9)
	ADDBIAS_ROW(Z10, Z11)
	ADDBIAS_ROW(Z12, Z13)
	ADDBIAS_ROW(Z14, Z15)
	ADDBIAS_ROW(Z16, Z17)
	ADDBIAS_ROW(Z18, Z19)
	ADDBIAS_ROW(Z20, Z21)
	ADDBIAS_ROW(Z22, Z23)
	ADDBIAS_ROW(Z24, Z25)
	ADDBIAS_ROW(Z26, Z27)
	ADDBIAS_ROW(Z28, Z29)
	ADDBIAS_ROW(Z30, Z31)

relu:
	TESTQ  $4, R11
	JZ     clip
	VPXORD Z2, Z2, Z2
	RELU_ROW(Z8, Z9)
	RELU_ROW(Z10, Z11)
	RELU_ROW(Z12, Z13)
	RELU_ROW(Z14, Z15)
	RELU_ROW(Z16, Z17)
	RELU_ROW(Z18, Z19)
	RELU_ROW(Z20, Z21)
	RELU_ROW(Z22, Z23)
	RELU_ROW(Z24, Z25)
	RELU_ROW(Z26, Z27)
	RELU_ROW(Z28, Z29)
	RELU_ROW(Z30, Z31)

clip:
	TESTQ $16, R11
	JZ    leaky
	LOAD_CLIP
	CLIP_ROW(Z8, Z9)
	CLIP_ROW(Z10, Z11)
	CLIP_ROW(Z12, Z13)
	CLIP_ROW(Z14, Z15)
	CLIP_ROW(Z16, Z17)
	CLIP_ROW(Z18, Z19)
	CLIP_ROW(Z20, Z21)
	CLIP_ROW(Z22, Z23)
	CLIP_ROW(Z24, Z25)
	CLIP_ROW(Z26, Z27)
	CLIP_ROW(Z28, Z29)
	CLIP_ROW(Z30, Z31)

leaky:
	TESTQ $32, R11
	JZ    hswish
	LOAD_LEAKY
	LEAKY_ROW(Z8, Z9)
	LEAKY_ROW(Z10, Z11)
	LEAKY_ROW(Z12, Z13)
	LEAKY_ROW(Z14, Z15)
	LEAKY_ROW(Z16, Z17)
	LEAKY_ROW(Z18, Z19)
	LEAKY_ROW(Z20, Z21)
	LEAKY_ROW(Z22, Z23)
	LEAKY_ROW(Z24, Z25)
	LEAKY_ROW(Z26, Z27)
	LEAKY_ROW(Z28, Z29)
	LEAKY_ROW(Z30, Z31)

hswish:
	TESTQ $64, R11
	JZ    sigmoid
	LOAD_HSWISH
	HSWISH_ROW(Z8, Z9)
	HSWISH_ROW(Z10, Z11)
	HSWISH_ROW(Z12, Z13)
	HSWISH_ROW(Z14, Z15)
	HSWISH_ROW(Z16, Z17)
	HSWISH_ROW(Z18, Z19)
	HSWISH_ROW(Z20, Z21)
	HSWISH_ROW(Z22, Z23)
	HSWISH_ROW(Z24, Z25)
	HSWISH_ROW(Z26, Z27)
	HSWISH_ROW(Z28, Z29)
	HSWISH_ROW(Z30, Z31)

sigmoid:
	TESTQ $128, R11
	JZ    silu
	LOAD_SIGMOID
	SIGMOID_ROW(Z8, Z9)
	SIGMOID_ROW(Z10, Z11)
	SIGMOID_ROW(Z12, Z13)
	SIGMOID_ROW(Z14, Z15)
	SIGMOID_ROW(Z16, Z17)
	SIGMOID_ROW(Z18, Z19)
	SIGMOID_ROW(Z20, Z21)
	SIGMOID_ROW(Z22, Z23)
	SIGMOID_ROW(Z24, Z25)
	SIGMOID_ROW(Z26, Z27)
	SIGMOID_ROW(Z28, Z29)
	SIGMOID_ROW(Z30, Z31)

silu:
	TESTQ $256, R11
	JZ    store
	LOAD_SIGMOID
	SILU_ROW(Z8, Z9)
	SILU_ROW(Z10, Z11)
	SILU_ROW(Z12, Z13)
	SILU_ROW(Z14, Z15)
	SILU_ROW(Z16, Z17)
	SILU_ROW(Z18, Z19)
	SILU_ROW(Z20, Z21)
	SILU_ROW(Z22, Z23)
	SILU_ROW(Z24, Z25)
	SILU_ROW(Z26, Z27)
	SILU_ROW(Z28, Z29)
	SILU_ROW(Z30, Z31)

store:
	MOVQ DX, R12
	STORE_ROW(Z8, Z9)
	STORE_ROW(Z10, Z11)
	STORE_ROW(Z12, Z13)
	STORE_ROW(Z14, Z15)
	STORE_ROW(Z16, Z17)
	STORE_ROW(Z18, Z19)
	STORE_ROW(Z20, Z21)
	STORE_ROW(Z22, Z23)
	STORE_ROW(Z24, Z25)
	STORE_ROW(Z26, Z27)
	STORE_ROW(Z28, Z29)
	STORE_ROW(Z30, Z31)
	VZEROUPPER
	RET
