//go:build amd64 && gc && !purego

#include "textflag.h"

// func qEpilogueTileAVX512(t *qTileArgs)
//
// The int8 epilogue on t.rows rows of t.cols values, sixteen lanes at a
// time, the last ones of a row under a lane mask; the Go loop
// (qRequantRowGo, qDequantRowGo, on each row):
//
//	for c < cols:
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
// a row is read or written.
//
// Registers: BX the arguments; R15 rows left; R13, R14, DX the row of acc,
// out and res (0: none); CX values left in the row;
// SI acc, DI out, R11 res at the current value; R8 colSum,
// R9 bias (0: none), R10 scale likewise; R12 u8; K1 the lanes of this step;
// Z20-Z25 aZero, rZero, rScale, outZero, lo, hi broadcast.
//
// Requires: AVX512F, AVX512BW
TEXT ·qEpilogueTileAVX512(SB), NOSPLIT, $0-8
	MOVQ t+0(FP), BX
	MOVQ 72(BX), R15
	MOVQ 88(BX), R12

	VPBROADCASTD 96(BX), Z20
	VPBROADCASTD 100(BX), Z21
	VBROADCASTSS 104(BX), Z22
	VPBROADCASTD 108(BX), Z23
	VBROADCASTSS 112(BX), Z24
	VBROADCASTSS 116(BX), Z25

	MOVQ 0(BX), R13
	MOVQ 16(BX), R14
	MOVQ 32(BX), DX

row:
	TESTQ R15, R15
	JLE   done
	MOVQ  R13, SI
	MOVQ  R14, DI
	MOVQ  DX, R11
	MOVQ  48(BX), R8
	MOVQ  56(BX), R9
	MOVQ  64(BX), R10
	MOVQ  80(BX), CX

loop:
	TESTQ CX, CX
	JLE   nextrow
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

nextrow:
	// acc, out and res step by their row strides (in bytes), in registers:
	// the arguments stay as Go wrote them.
	ADDQ  8(BX), R13
	ADDQ  24(BX), R14
	TESTQ DX, DX
	JZ    nores2
	ADDQ  40(BX), DX

nores2:
	DECQ R15
	JMP  row

done:
	VZEROUPPER
	RET
