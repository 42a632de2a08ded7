//go:build amd64 && gc && !purego

#include "textflag.h"

// Register roles in sgemm6x16AVX2:
//   SI, AX: A rows 0-2 and 3-5 at the current k
//   R14: A row stride in bytes             R10: A k step in bytes (k loop only)
//   DI: B row (16 floats per k)
//   R8: B row stride in bytes              CX, BX: k iterations left
//   R15: next B panel to prefetch into L2 (bNext), a line per 4 k steps
//   Y0, Y1: B row                          Y2, Y3: broadcast A values
//   Y4-Y15: C tile, row i in Y(4+2i) (columns 0-7) and Y(5+2i) (8-15)
// Epilogue: R12 walks C, R13 the residual (R14 its stride), R10 the bias,
// then act (clip bounds in Y0, Y1; LeakyReLU slope in Y0).
// A packed in strips has row stride 4 bytes and k step 24; A read in place
// from a row-major matrix has row stride 4·lda and k step 4.

// One k step: 16 B values times 6 A values into the 6×16 tile.
#define KSTEP6x16 \
	VMOVUPS      (DI), Y0          \
	VMOVUPS      32(DI), Y1        \
	VBROADCASTSS (SI), Y2          \
	VBROADCASTSS (SI)(R14*1), Y3   \
	VFMADD231PS  Y0, Y2, Y4        \
	VFMADD231PS  Y1, Y2, Y5        \
	VFMADD231PS  Y0, Y3, Y6        \
	VFMADD231PS  Y1, Y3, Y7        \
	VBROADCASTSS (SI)(R14*2), Y2   \
	VBROADCASTSS (AX), Y3          \
	VFMADD231PS  Y0, Y2, Y8        \
	VFMADD231PS  Y1, Y2, Y9        \
	VFMADD231PS  Y0, Y3, Y10       \
	VFMADD231PS  Y1, Y3, Y11       \
	VBROADCASTSS (AX)(R14*1), Y2   \
	VBROADCASTSS (AX)(R14*2), Y3   \
	VFMADD231PS  Y0, Y2, Y12       \
	VFMADD231PS  Y1, Y2, Y13       \
	VFMADD231PS  Y0, Y3, Y14       \
	VFMADD231PS  Y1, Y3, Y15       \
	ADDQ         R10, SI           \
	ADDQ         R10, AX           \
	ADDQ         R8, DI

// Row-wise epilogue steps; R12 walks the C rows, R9 is ldc in bytes.
#define ADDC_ROW(lo, hi) \
	VADDPS (R12), lo, lo   \
	VADDPS 32(R12), hi, hi \
	ADDQ   R9, R12

// R13 walks the residual rows, R14 is ldr in bytes.
#define ADDRES_ROW(lo, hi) \
	VADDPS (R13), lo, lo   \
	VADDPS 32(R13), hi, hi \
	ADDQ   R14, R13

#define ADDBIAS_ROW(lo, hi) \
	VADDPS Y0, lo, lo \
	VADDPS Y1, hi, hi

#define RELU_ROW(lo, hi) \
	VMAXPS lo, Y2, lo \
	VMAXPS hi, Y2, hi

// Clamps to [Y0, Y1] = [lo, hi] with MAXPS then MINPS, the bound first as
// vec.Activate does, so a NaN passes through.
#define CLIP_ROW(lo, hi) \
	VMAXPS lo, Y0, lo \
	VMAXPS hi, Y0, hi \
	VMINPS lo, Y1, lo \
	VMINPS hi, Y1, hi

// Multiplies by the slope in Y0 where the sign bit is set (BLENDVPS takes
// the product in those lanes); Y2, Y3 are scratch.
#define LEAKY_ROW(lo, hi) \
	VMULPS    Y0, lo, Y2     \
	VBLENDVPS lo, Y2, lo, lo \
	VMULPS    Y0, hi, Y3     \
	VBLENDVPS hi, Y3, hi, hi

#define STORE_ROW(lo, hi) \
	VMOVUPS lo, (R12)   \
	VMOVUPS hi, 32(R12) \
	ADDQ    R9, R12

// func sgemm6x16AVX2(k int, a *float32, aRS, aKS int, b *float32, bStride int, c *float32, ldc int, res *float32, ldr int, bias *float32, flags uint, bNext *float32, act *Activation)
// Requires: AVX, AVX2, FMA3
TEXT ·sgemm6x16AVX2(SB), NOSPLIT, $0-112
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ aRS+16(FP), R14
	SHLQ $2, R14
	MOVQ aKS+24(FP), R10
	SHLQ $2, R10
	LEAQ (R14)(R14*2), AX
	ADDQ SI, AX
	MOVQ b+32(FP), DI
	MOVQ bStride+40(FP), R8
	SHLQ $2, R8
	MOVQ c+48(FP), DX
	MOVQ ldc+56(FP), R9
	SHLQ $2, R9
	MOVQ flags+88(FP), R11
	MOVQ bNext+96(FP), R15

	// Warm the C rows the epilogue will touch while the k loop runs.
	MOVQ       DX, R12
	PREFETCHT0 (R12)
	ADDQ       R9, R12
	PREFETCHT0 (R12)
	ADDQ       R9, R12
	PREFETCHT0 (R12)
	ADDQ       R9, R12
	PREFETCHT0 (R12)
	ADDQ       R9, R12
	PREFETCHT0 (R12)
	ADDQ       R9, R12
	PREFETCHT0 (R12)

	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	VXORPS Y12, Y12, Y12
	VXORPS Y13, Y13, Y13
	VXORPS Y14, Y14, Y14
	VXORPS Y15, Y15, Y15

	// Four k steps per trip, then the remainder one at a time.
	MOVQ CX, BX
	SHRQ $2, BX
	ANDQ $3, CX
	TESTQ BX, BX
	JZ   tail

loop4:
	PREFETCHT0 (DI)(R8*8)
	KSTEP6x16
	PREFETCHT0 (DI)(R8*8)
	KSTEP6x16
	PREFETCHT0 (DI)(R8*8)
	KSTEP6x16
	PREFETCHT0 (DI)(R8*8)
	KSTEP6x16
	PREFETCHT1 (R15) // the next B panel, into L2 (bNext)
	ADDQ       $64, R15
	DECQ BX
	JNZ  loop4

tail:
	TESTQ CX, CX
	JZ    epilogue

loop1:
	KSTEP6x16
	DECQ CX
	JNZ  loop1

epilogue:
	TESTQ $1, R11
	JZ    residual
	MOVQ  DX, R12
	ADDC_ROW(Y4, Y5)
	ADDC_ROW(Y6, Y7)
	ADDC_ROW(Y8, Y9)
	ADDC_ROW(Y10, Y11)
	ADDC_ROW(Y12, Y13)
	ADDC_ROW(Y14, Y15)

residual:
	TESTQ $8, R11
	JZ    bias
	MOVQ  res+64(FP), R13
	MOVQ  ldr+72(FP), R14
	SHLQ  $2, R14
	ADDRES_ROW(Y4, Y5)
	ADDRES_ROW(Y6, Y7)
	ADDRES_ROW(Y8, Y9)
	ADDRES_ROW(Y10, Y11)
	ADDRES_ROW(Y12, Y13)
	ADDRES_ROW(Y14, Y15)

bias:
	TESTQ   $2, R11
	JZ      relu
	MOVQ    bias+80(FP), R10
	VMOVUPS (R10), Y0
	VMOVUPS 32(R10), Y1
	ADDBIAS_ROW(Y4, Y5)
	ADDBIAS_ROW(Y6, Y7)
	ADDBIAS_ROW(Y8, Y9)
	ADDBIAS_ROW(Y10, Y11)
	ADDBIAS_ROW(Y12, Y13)
	ADDBIAS_ROW(Y14, Y15)

relu:
	TESTQ  $4, R11
	JZ     clip
	VXORPS Y2, Y2, Y2
	RELU_ROW(Y4, Y5)
	RELU_ROW(Y6, Y7)
	RELU_ROW(Y8, Y9)
	RELU_ROW(Y10, Y11)
	RELU_ROW(Y12, Y13)
	RELU_ROW(Y14, Y15)

clip:
	TESTQ        $16, R11
	JZ           leaky
	MOVQ         act+104(FP), R10
	VBROADCASTSS 4(R10), Y0
	VBROADCASTSS 8(R10), Y1
	CLIP_ROW(Y4, Y5)
	CLIP_ROW(Y6, Y7)
	CLIP_ROW(Y8, Y9)
	CLIP_ROW(Y10, Y11)
	CLIP_ROW(Y12, Y13)
	CLIP_ROW(Y14, Y15)

leaky:
	TESTQ        $32, R11
	JZ           store
	MOVQ         act+104(FP), R10
	VBROADCASTSS 12(R10), Y0
	LEAKY_ROW(Y4, Y5)
	LEAKY_ROW(Y6, Y7)
	LEAKY_ROW(Y8, Y9)
	LEAKY_ROW(Y10, Y11)
	LEAKY_ROW(Y12, Y13)
	LEAKY_ROW(Y14, Y15)

store:
	MOVQ DX, R12
	STORE_ROW(Y4, Y5)
	STORE_ROW(Y6, Y7)
	STORE_ROW(Y8, Y9)
	STORE_ROW(Y10, Y11)
	STORE_ROW(Y12, Y13)
	STORE_ROW(Y14, Y15)
	VZEROUPPER
	RET
