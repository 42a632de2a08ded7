//go:build amd64 && gc && !purego

#include "textflag.h"

// func qEpilogueAVX512(n int, acc *int32, colSum *int32, bias *int32, scale *float32, res *uint8, out unsafe.Pointer, k *qEpilogueConsts, u8 bool)
//
// The int8 epilogue on one row of n values, sixteen lanes at a time, the
// last ones under a lane mask; the Go loop (qRequantRowGo, qDequantRowGo):
//
//	for c < n:
//	    s := acc[c] - k.aZero*colSum[c] + bias[c]                   (bias: if not nil)
//	    v := float32(s) * scale[c]
//	    v += float32(float32(int32(res[c]) - k.rZero) * k.rScale)    (res: if not nil)
//	    if u8 { out[c] = uint8(roundEven(min(max(v, k.lo), k.hi)) + k.outZero) }
//	    else  { out[c] = v }
//
// k.lo and k.hi are the clamp bounds less the zero point, so clamping
// before the conversion gives what clamping after it would, and values
// past int32 never reach VCVTPS2DQ. Conversions round to nearest even (the
// MXCSR default Go keeps). Every load and store is masked, so nothing past
// the row is read or written.
//
// Registers: CX values left; SI acc; R8 colSum; R9 bias (0: none);
// R10 scale; R11 res (0: none); DI out; R12 u8; K1 the lanes of this step;
// Z20-Z25 aZero, rZero, rScale, outZero, lo, hi broadcast.
//
// Requires: AVX512F, AVX512BW
TEXT ·qEpilogueAVX512(SB), NOSPLIT, $0-65
	MOVQ n+0(FP), CX
	MOVQ acc+8(FP), SI
	MOVQ colSum+16(FP), R8
	MOVQ bias+24(FP), R9
	MOVQ scale+32(FP), R10
	MOVQ res+40(FP), R11
	MOVQ out+48(FP), DI
	MOVQ k+56(FP), DX
	MOVBQZX u8+64(FP), R12

	VPBROADCASTD 0(DX), Z20
	VPBROADCASTD 4(DX), Z21
	VBROADCASTSS 8(DX), Z22
	VPBROADCASTD 12(DX), Z23
	VBROADCASTSS 16(DX), Z24
	VBROADCASTSS 20(DX), Z25

loop:
	TESTQ CX, CX
	JLE   done
	MOVL  $0xffff, AX
	CMPQ  CX, $16
	JGE   full
	MOVL  $1, AX
	SHLL  CX, AX
	DECL  AX

full:
	KMOVW AX, K1
	VMOVDQU32.Z (SI), K1, Z0
	VMOVDQU32.Z (R8), K1, Z1
	VPMULLD     Z20, Z1, Z1
	VPSUBD      Z1, Z0, Z0
	TESTQ       R9, R9
	JZ          nobias
	VMOVDQU32.Z (R9), K1, Z1
	VPADDD      Z1, Z0, Z0
	ADDQ        $64, R9

nobias:
	VCVTDQ2PS Z0, Z0
	VMOVUPS.Z (R10), K1, Z1
	VMULPS    Z1, Z0, Z0
	TESTQ     R11, R11
	JZ        nores
	VMOVDQU8.Z (R11), K1, X1
	VPMOVZXBD  X1, Z1
	VPSUBD     Z21, Z1, Z1
	VCVTDQ2PS  Z1, Z1
	VMULPS     Z22, Z1, Z1
	VADDPS     Z1, Z0, Z0
	ADDQ       $16, R11

nores:
	TESTQ   R12, R12
	JNZ     requant
	VMOVUPS Z0, K1, (DI)
	ADDQ    $64, DI
	JMP     next

requant:
	VMAXPS    Z24, Z0, Z0
	VMINPS    Z25, Z0, Z0
	VCVTPS2DQ Z0, Z0
	VPADDD    Z23, Z0, Z0
	VPMOVDB   Z0, K1, (DI)
	ADDQ      $16, DI

next:
	ADDQ $64, SI
	ADDQ $64, R8
	ADDQ $64, R10
	SUBQ $16, CX
	JMP  loop

done:
	VZEROUPPER
	RET
