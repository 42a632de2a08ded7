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

// func qEpilogueTileAVX2(t *qTileArgs)
//
// qEpilogueTileAVX512 on AVX2 alone, eight lanes at a time: t.cols must be
// a multiple of 8 (the caller finishes the last cols%8 columns in Go, since
// AVX2 has no byte masks). Same operations in the same order, so the same
// bits. u8 results are packed with VPSHUFB (byte 0 of each lane, in order
// within each 128-bit half) and the halves joined with VPUNPCKLDQ.
//
// Registers: BX the arguments; R15 rows left; R13, R14, DX the row of acc,
// out and res (0: none); CX values left in the row; SI acc, DI out, R11 res
// at the current value; R8 colSum, R9 bias (0: none), R10 scale; R12 u8;
// Y8-Y13 aZero, rZero, rScale, outZero, lo, hi broadcast; Y14 the byte
// shuffle.
//
// Requires: AVX2
TEXT ·qEpilogueTileAVX2(SB), NOSPLIT, $0-8
	MOVQ t+0(FP), BX
	MOVQ 72(BX), R15
	MOVQ 88(BX), R12

	VPBROADCASTD 96(BX), Y8
	VPBROADCASTD 100(BX), Y9
	VBROADCASTSS 104(BX), Y10
	VPBROADCASTD 108(BX), Y11
	VBROADCASTSS 112(BX), Y12
	VBROADCASTSS 116(BX), Y13
	VMOVDQU      ·qPackBytes(SB), Y14

	MOVQ 0(BX), R13
	MOVQ 16(BX), R14
	MOVQ 32(BX), DX

row2:
	TESTQ R15, R15
	JLE   done2
	MOVQ  R13, SI
	MOVQ  R14, DI
	MOVQ  DX, R11
	MOVQ  48(BX), R8
	MOVQ  56(BX), R9
	MOVQ  64(BX), R10
	MOVQ  80(BX), CX

loop2:
	CMPQ    CX, $8
	JL      nextrow2
	VMOVDQU (SI), Y0
	VMOVDQU (R8), Y1
	VPMULLD Y8, Y1, Y1
	VPSUBD  Y1, Y0, Y0
	TESTQ   R9, R9
	JZ      nobias2
	VPADDD  (R9), Y0, Y0
	ADDQ    $32, R9

nobias2:
	VCVTDQ2PS Y0, Y0
	VMULPS    (R10), Y0, Y0
	TESTQ     R11, R11
	JZ        nores2b
	VPMOVZXBD (R11), Y1
	VPSUBD    Y9, Y1, Y1
	VCVTDQ2PS Y1, Y1
	VMULPS    Y10, Y1, Y1
	VADDPS    Y1, Y0, Y0
	ADDQ      $8, R11

nores2b:
	TESTQ   R12, R12
	JNZ     requant2
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	JMP     next2

requant2:
	VMAXPS       Y12, Y0, Y0
	VMINPS       Y13, Y0, Y0
	VCVTPS2DQ    Y0, Y0
	VPADDD       Y11, Y0, Y0
	VPSHUFB      Y14, Y0, Y0
	VEXTRACTI128 $1, Y0, X1
	VPUNPCKLDQ   X1, X0, X0
	MOVQ         X0, (DI)
	ADDQ         $8, DI

next2:
	ADDQ $32, SI
	ADDQ $32, R8
	ADDQ $32, R10
	SUBQ $8, CX
	JMP  loop2

nextrow2:
	ADDQ  8(BX), R13
	ADDQ  24(BX), R14
	TESTQ DX, DX
	JZ    nores2c
	ADDQ  40(BX), DX

nores2c:
	DECQ R15
	JMP  row2

done2:
	VZEROUPPER
	RET

// qPackBytes picks byte 0 of each 32-bit lane into the low four bytes of
// each 128-bit half (the rest zero).
DATA ·qPackBytes+0(SB)/8, $0x808080800c080400
DATA ·qPackBytes+8(SB)/8, $0x8080808080808080
DATA ·qPackBytes+16(SB)/8, $0x808080800c080400
DATA ·qPackBytes+24(SB)/8, $0x8080808080808080
GLOBL ·qPackBytes(SB), RODATA|NOPTR, $32
