//go:build amd64 && gc && !purego

#include "textflag.h"

// copyRunsAVX2 is copyRunsGo: runs runs of n values each, the source runs
// stride values apart, written back to back into dst.
//
//	for r := range runs {
//		copy(dst[r*n:(r+1)*n], src[r*stride:r*stride+n])
//	}
//
// func copyRunsAVX2(dst, src *float32, runs, n, stride int)
// Requires: AVX
TEXT ·copyRunsAVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI     // DI: the next value of dst to write
	MOVQ src+8(FP), SI     // SI: the current source run
	MOVQ runs+16(FP), R8   // R8: runs left
	MOVQ n+24(FP), CX      // CX: values per run
	MOVQ stride+32(FP), R9
	SHLQ $2, R9            // R9: source run stride in bytes
	TESTQ R8, R8
	JZ    done

run:
	XORQ AX, AX // AX: value index within the run

vec8:
	LEAQ    8(AX), BX
	CMPQ    BX, CX
	JGT     vec4
	VMOVUPS (SI)(AX*4), Y0
	VMOVUPS Y0, (DI)(AX*4)
	MOVQ    BX, AX
	JMP     vec8

vec4:
	LEAQ    4(AX), BX
	CMPQ    BX, CX
	JGT     tail
	VMOVUPS (SI)(AX*4), X0
	VMOVUPS X0, (DI)(AX*4)
	MOVQ    BX, AX

tail:
	CMPQ  AX, CX
	JGE   next
	MOVL  (SI)(AX*4), BX
	MOVL  BX, (DI)(AX*4)
	INCQ  AX
	JMP   tail

next:
	LEAQ (DI)(CX*4), DI
	ADDQ R9, SI
	DECQ R8
	JNZ  run

done:
	VZEROUPPER
	RET
