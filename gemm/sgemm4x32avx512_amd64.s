//go:build amd64 && gc && !purego

#include "textflag.h"
#include "sgemm_avx512_amd64.h"

// Register roles in sgemm4x32AVX512, the 4-row edge kernel of the 12×32 one:
//   SI: A rows 0-3 at the current k       R14: A row stride in bytes
//   R12: 3 × A row stride                  R10: A k step in bytes (k loop only)
//   DI: B row (32 floats per k)            R8: B row stride in bytes
//   CX, BX: k iterations left
//   R15: next B panel to prefetch into L2 (bNext), a line per 4 k steps
//   Z0, Z1: B row                          Z2, Z3: broadcast A values
//   Z8-Z15: C tile, row i in Z(8+2i) (columns 0-15) and Z(9+2i) (16-31)
// Epilogue: R12 walks C, R13 the residual (R14 its stride), R10 the bias,
// then act (clip bounds in Z0, Z1; LeakyReLU slope in Z0, sign mask in Z3,
// lane masks in K1, K2; hard_swish, sigmoid and SiLU use Z0-Z7, K1, K2).
// Eight accumulators are as many FMAs as the two FMA units keep in flight
// (latency 4), so the loop runs close to peak on rows that the 12-row kernel
// would compute three times over.

// One k step: 32 B values times 4 A values into the 4×32 tile.
#define KSTEP4x32 \
	VMOVUPS (DI), Z0                                        \
	VMOVUPS 64(DI), Z1                                      \
	FMA_PAIR((SI), (SI)(R14*1), Z8, Z9, Z10, Z11)          \
	FMA_PAIR((SI)(R14*2), (SI)(R12*1), Z12, Z13, Z14, Z15) \
	ADDQ    R10, SI                                         \
	ADDQ    R8, DI

// func sgemm4x32AVX512(k int, a *float32, aRS, aKS int, b *float32, bStride int, c *float32, ldc int, res *float32, ldr int, bias *float32, flags uint, bNext *float32, act *Activation)
// Requires: AVX512F
TEXT ·sgemm4x32AVX512(SB), NOSPLIT, $0-112
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ aRS+16(FP), R14
	SHLQ $2, R14
	MOVQ aKS+24(FP), R10
	SHLQ $2, R10
	LEAQ (R14)(R14*2), R12
	MOVQ b+32(FP), DI
	MOVQ bStride+40(FP), R8
	SHLQ $2, R8
	MOVQ c+48(FP), DX
	MOVQ ldc+56(FP), R9
	SHLQ $2, R9
	MOVQ flags+88(FP), R11
	MOVQ bNext+96(FP), R15

	// Warm the C rows the epilogue will touch while the k loop runs.
	MOVQ       DX, BX
	PREFETCHT0 (BX)
	PREFETCHT0 64(BX)
	ADDQ       R9, BX
	PREFETCHT0 (BX)
	PREFETCHT0 64(BX)
	ADDQ       R9, BX
	PREFETCHT0 (BX)
	PREFETCHT0 64(BX)
	ADDQ       R9, BX
	PREFETCHT0 (BX)
	PREFETCHT0 64(BX)

	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12
	VPXORD Z13, Z13, Z13
	VPXORD Z14, Z14, Z14
	VPXORD Z15, Z15, Z15

	// Four k steps per trip, then the remainder one at a time.
	MOVQ  CX, BX
	SHRQ  $2, BX
	ANDQ  $3, CX
	TESTQ BX, BX
	JZ    tail

loop4:
	PREFETCHT0 (DI)(R8*8)
	PREFETCHT0 64(DI)(R8*8)
	KSTEP4x32
	PREFETCHT0 (DI)(R8*8)
	PREFETCHT0 64(DI)(R8*8)
	KSTEP4x32
	PREFETCHT0 (DI)(R8*8)
	PREFETCHT0 64(DI)(R8*8)
	KSTEP4x32
	PREFETCHT0 (DI)(R8*8)
	PREFETCHT0 64(DI)(R8*8)
	KSTEP4x32
	PREFETCHT1 (R15) // the next B panel, into L2 (bNext)
	ADDQ       $64, R15
	DECQ       BX
	JNZ        loop4

tail:
	TESTQ CX, CX
	JZ    epilogue

loop1:
	KSTEP4x32
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

bias:
	TESTQ   $2, R11
	JZ      relu
	MOVQ    bias+80(FP), R10
	LOAD_BIAS
	ADDBIAS_ROW(Z8, Z9)
	ADDBIAS_ROW(Z10, Z11)
	ADDBIAS_ROW(Z12, Z13)
	ADDBIAS_ROW(Z14, Z15)

relu:
	TESTQ  $4, R11
	JZ     clip
	VPXORD Z2, Z2, Z2
	RELU_ROW(Z8, Z9)
	RELU_ROW(Z10, Z11)
	RELU_ROW(Z12, Z13)
	RELU_ROW(Z14, Z15)

clip:
	TESTQ $16, R11
	JZ    leaky
	LOAD_CLIP
	CLIP_ROW(Z8, Z9)
	CLIP_ROW(Z10, Z11)
	CLIP_ROW(Z12, Z13)
	CLIP_ROW(Z14, Z15)

leaky:
	TESTQ $32, R11
	JZ    hswish
	LOAD_LEAKY
	LEAKY_ROW(Z8, Z9)
	LEAKY_ROW(Z10, Z11)
	LEAKY_ROW(Z12, Z13)
	LEAKY_ROW(Z14, Z15)

hswish:
	TESTQ $64, R11
	JZ    sigmoid
	LOAD_HSWISH
	HSWISH_ROW(Z8, Z9)
	HSWISH_ROW(Z10, Z11)
	HSWISH_ROW(Z12, Z13)
	HSWISH_ROW(Z14, Z15)

sigmoid:
	TESTQ $128, R11
	JZ    silu
	LOAD_SIGMOID
	SIGMOID_ROW(Z8, Z9)
	SIGMOID_ROW(Z10, Z11)
	SIGMOID_ROW(Z12, Z13)
	SIGMOID_ROW(Z14, Z15)

silu:
	TESTQ $256, R11
	JZ    store
	LOAD_SIGMOID
	SILU_ROW(Z8, Z9)
	SILU_ROW(Z10, Z11)
	SILU_ROW(Z12, Z13)
	SILU_ROW(Z14, Z15)

store:
	MOVQ DX, R12
	STORE_ROW(Z8, Z9)
	STORE_ROW(Z10, Z11)
	STORE_ROW(Z12, Z13)
	STORE_ROW(Z14, Z15)
	VZEROUPPER
	RET
