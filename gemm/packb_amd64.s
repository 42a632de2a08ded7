//go:build amd64 && gc && !purego

#include "textflag.h"

// packBRowsAVX deals rows of a row-major B out to full NR-wide panels:
//
//	for p := range rows {
//		for q := range panels {
//			copy(dst[q*panelStride+p*nr:][:nr], src[p*ldb+q*nr:][:nr])
//		}
//	}
//
// nr is a multiple of 8. Row by row, so that B is read front to back.
//
// func packBRowsAVX(dst, src *float32, rows, ldb, panels, nr, panelStride int)
// Requires: AVX
TEXT ·packBRowsAVX(SB), NOSPLIT, $0-56
	MOVQ dst+0(FP), DI          // DI: where row p of panel 0 goes
	MOVQ src+8(FP), SI          // SI: row p of B
	MOVQ rows+16(FP), R8        // R8: rows left
	MOVQ ldb+24(FP), R9
	SHLQ $2, R9                 // R9: B row stride in bytes
	MOVQ panels+32(FP), R10     // R10: panels per row
	MOVQ nr+40(FP), R11
	SHLQ $2, R11                // R11: panel width in bytes
	MOVQ panelStride+48(FP), R12
	SHLQ $2, R12                // R12: panel stride in bytes
	TESTQ R8, R8
	JZ    done
	TESTQ R10, R10
	JZ    done

row:
	MOVQ SI, AX  // AX: source of the current panel's values
	MOVQ DI, BX  // BX: the current panel's row
	MOVQ R10, CX // CX: panels left

panel:
	XORQ DX, DX // DX: byte offset within the panel row

chunk:
	VMOVUPS (AX)(DX*1), Y0
	VMOVUPS Y0, (BX)(DX*1)
	ADDQ    $32, DX
	CMPQ    DX, R11
	JLT     chunk
	ADDQ    R11, AX
	ADDQ    R12, BX
	DECQ    CX
	JNZ     panel
	ADDQ    R9, SI
	ADDQ    R11, DI
	DECQ    R8
	JNZ     row

done:
	VZEROUPPER
	RET
