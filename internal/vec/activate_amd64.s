//go:build amd64 && gc && !purego

#include "textflag.h"

// The constants of activateAVX2, each repeated over a 32-byte row so that
// it can be an operand of a ymm instruction; the values are those of
// activate.go.

#define SIGNBIT actconst<>+0(SB) // sign bit
#define LOG2E actconst<>+32(SB) // log2(e)
#define LN2HI actconst<>+64(SB) // ln2, high part
#define LN2LO actconst<>+96(SB) // ln2, low part
#define C6 actconst<>+128(SB) // 1/720
#define C5 actconst<>+160(SB) // 1/120
#define C4 actconst<>+192(SB) // 1/24
#define C3 actconst<>+224(SB) // 1/6
#define C2 actconst<>+256(SB) // 1/2
#define BIAS actconst<>+288(SB) // float32 exponent bias (integer)
#define CUT actconst<>+320(SB) // -87.33654, ln of the smallest normal
#define THREE actconst<>+352(SB) // 3
#define SIX actconst<>+384(SB) // 6
#define SIXTH actconst<>+416(SB) // 1/6
#define ONE actconst<>+448(SB) // 1

DATA actconst<>+0(SB)/4, $0x80000000
DATA actconst<>+4(SB)/4, $0x80000000
DATA actconst<>+8(SB)/4, $0x80000000
DATA actconst<>+12(SB)/4, $0x80000000
DATA actconst<>+16(SB)/4, $0x80000000
DATA actconst<>+20(SB)/4, $0x80000000
DATA actconst<>+24(SB)/4, $0x80000000
DATA actconst<>+28(SB)/4, $0x80000000
DATA actconst<>+32(SB)/4, $0x3fb8aa3b
DATA actconst<>+36(SB)/4, $0x3fb8aa3b
DATA actconst<>+40(SB)/4, $0x3fb8aa3b
DATA actconst<>+44(SB)/4, $0x3fb8aa3b
DATA actconst<>+48(SB)/4, $0x3fb8aa3b
DATA actconst<>+52(SB)/4, $0x3fb8aa3b
DATA actconst<>+56(SB)/4, $0x3fb8aa3b
DATA actconst<>+60(SB)/4, $0x3fb8aa3b
DATA actconst<>+64(SB)/4, $0x3f317200
DATA actconst<>+68(SB)/4, $0x3f317200
DATA actconst<>+72(SB)/4, $0x3f317200
DATA actconst<>+76(SB)/4, $0x3f317200
DATA actconst<>+80(SB)/4, $0x3f317200
DATA actconst<>+84(SB)/4, $0x3f317200
DATA actconst<>+88(SB)/4, $0x3f317200
DATA actconst<>+92(SB)/4, $0x3f317200
DATA actconst<>+96(SB)/4, $0x35bfbe8e
DATA actconst<>+100(SB)/4, $0x35bfbe8e
DATA actconst<>+104(SB)/4, $0x35bfbe8e
DATA actconst<>+108(SB)/4, $0x35bfbe8e
DATA actconst<>+112(SB)/4, $0x35bfbe8e
DATA actconst<>+116(SB)/4, $0x35bfbe8e
DATA actconst<>+120(SB)/4, $0x35bfbe8e
DATA actconst<>+124(SB)/4, $0x35bfbe8e
DATA actconst<>+128(SB)/4, $0x3ab60b61
DATA actconst<>+132(SB)/4, $0x3ab60b61
DATA actconst<>+136(SB)/4, $0x3ab60b61
DATA actconst<>+140(SB)/4, $0x3ab60b61
DATA actconst<>+144(SB)/4, $0x3ab60b61
DATA actconst<>+148(SB)/4, $0x3ab60b61
DATA actconst<>+152(SB)/4, $0x3ab60b61
DATA actconst<>+156(SB)/4, $0x3ab60b61
DATA actconst<>+160(SB)/4, $0x3c088889
DATA actconst<>+164(SB)/4, $0x3c088889
DATA actconst<>+168(SB)/4, $0x3c088889
DATA actconst<>+172(SB)/4, $0x3c088889
DATA actconst<>+176(SB)/4, $0x3c088889
DATA actconst<>+180(SB)/4, $0x3c088889
DATA actconst<>+184(SB)/4, $0x3c088889
DATA actconst<>+188(SB)/4, $0x3c088889
DATA actconst<>+192(SB)/4, $0x3d2aaaab
DATA actconst<>+196(SB)/4, $0x3d2aaaab
DATA actconst<>+200(SB)/4, $0x3d2aaaab
DATA actconst<>+204(SB)/4, $0x3d2aaaab
DATA actconst<>+208(SB)/4, $0x3d2aaaab
DATA actconst<>+212(SB)/4, $0x3d2aaaab
DATA actconst<>+216(SB)/4, $0x3d2aaaab
DATA actconst<>+220(SB)/4, $0x3d2aaaab
DATA actconst<>+224(SB)/4, $0x3e2aaaab
DATA actconst<>+228(SB)/4, $0x3e2aaaab
DATA actconst<>+232(SB)/4, $0x3e2aaaab
DATA actconst<>+236(SB)/4, $0x3e2aaaab
DATA actconst<>+240(SB)/4, $0x3e2aaaab
DATA actconst<>+244(SB)/4, $0x3e2aaaab
DATA actconst<>+248(SB)/4, $0x3e2aaaab
DATA actconst<>+252(SB)/4, $0x3e2aaaab
DATA actconst<>+256(SB)/4, $0x3f000000
DATA actconst<>+260(SB)/4, $0x3f000000
DATA actconst<>+264(SB)/4, $0x3f000000
DATA actconst<>+268(SB)/4, $0x3f000000
DATA actconst<>+272(SB)/4, $0x3f000000
DATA actconst<>+276(SB)/4, $0x3f000000
DATA actconst<>+280(SB)/4, $0x3f000000
DATA actconst<>+284(SB)/4, $0x3f000000
DATA actconst<>+288(SB)/4, $0x7f
DATA actconst<>+292(SB)/4, $0x7f
DATA actconst<>+296(SB)/4, $0x7f
DATA actconst<>+300(SB)/4, $0x7f
DATA actconst<>+304(SB)/4, $0x7f
DATA actconst<>+308(SB)/4, $0x7f
DATA actconst<>+312(SB)/4, $0x7f
DATA actconst<>+316(SB)/4, $0x7f
DATA actconst<>+320(SB)/4, $0xc2aeac4f
DATA actconst<>+324(SB)/4, $0xc2aeac4f
DATA actconst<>+328(SB)/4, $0xc2aeac4f
DATA actconst<>+332(SB)/4, $0xc2aeac4f
DATA actconst<>+336(SB)/4, $0xc2aeac4f
DATA actconst<>+340(SB)/4, $0xc2aeac4f
DATA actconst<>+344(SB)/4, $0xc2aeac4f
DATA actconst<>+348(SB)/4, $0xc2aeac4f
DATA actconst<>+352(SB)/4, $0x40400000
DATA actconst<>+356(SB)/4, $0x40400000
DATA actconst<>+360(SB)/4, $0x40400000
DATA actconst<>+364(SB)/4, $0x40400000
DATA actconst<>+368(SB)/4, $0x40400000
DATA actconst<>+372(SB)/4, $0x40400000
DATA actconst<>+376(SB)/4, $0x40400000
DATA actconst<>+380(SB)/4, $0x40400000
DATA actconst<>+384(SB)/4, $0x40c00000
DATA actconst<>+388(SB)/4, $0x40c00000
DATA actconst<>+392(SB)/4, $0x40c00000
DATA actconst<>+396(SB)/4, $0x40c00000
DATA actconst<>+400(SB)/4, $0x40c00000
DATA actconst<>+404(SB)/4, $0x40c00000
DATA actconst<>+408(SB)/4, $0x40c00000
DATA actconst<>+412(SB)/4, $0x40c00000
DATA actconst<>+416(SB)/4, $0x3e2aaaab
DATA actconst<>+420(SB)/4, $0x3e2aaaab
DATA actconst<>+424(SB)/4, $0x3e2aaaab
DATA actconst<>+428(SB)/4, $0x3e2aaaab
DATA actconst<>+432(SB)/4, $0x3e2aaaab
DATA actconst<>+436(SB)/4, $0x3e2aaaab
DATA actconst<>+440(SB)/4, $0x3e2aaaab
DATA actconst<>+444(SB)/4, $0x3e2aaaab
DATA actconst<>+448(SB)/4, $0x3f800000
DATA actconst<>+452(SB)/4, $0x3f800000
DATA actconst<>+456(SB)/4, $0x3f800000
DATA actconst<>+460(SB)/4, $0x3f800000
DATA actconst<>+464(SB)/4, $0x3f800000
DATA actconst<>+468(SB)/4, $0x3f800000
DATA actconst<>+472(SB)/4, $0x3f800000
DATA actconst<>+476(SB)/4, $0x3f800000
GLOBL actconst<>(SB), RODATA|NOPTR, $480

// SIGMOID sets Y1 to sigmoid(Y0), as sigmoid in activate.go, operation
// for operation: z = -|x|; n = round(z·log2e); t = z - n·ln2hi - n·ln2lo;
// p = e^t by Horner; e = p·2^n; f = e/(e+1), 0 where z < CUT; then f
// where x is negative and 1-f elsewhere. Y6 holds 1.0; Y2-Y5 are scratch.
#define SIGMOID \
	VORPS      SIGNBIT, Y0, Y1 \
	VMULPS     LOG2E, Y1, Y2   \
	VROUNDPS   $0, Y2, Y2      \
	VMULPS     LN2HI, Y2, Y3   \
	VSUBPS     Y3, Y1, Y3      \
	VMULPS     LN2LO, Y2, Y4   \
	VSUBPS     Y4, Y3, Y3      \
	VMOVUPS    C6, Y4          \
	VMULPS     Y3, Y4, Y4      \
	VADDPS     C5, Y4, Y4      \
	VMULPS     Y3, Y4, Y4      \
	VADDPS     C4, Y4, Y4      \
	VMULPS     Y3, Y4, Y4      \
	VADDPS     C3, Y4, Y4      \
	VMULPS     Y3, Y4, Y4      \
	VADDPS     C2, Y4, Y4      \
	VMULPS     Y3, Y4, Y4      \
	VADDPS     Y6, Y4, Y4      \
	VMULPS     Y3, Y4, Y4      \
	VADDPS     Y6, Y4, Y4      \
	VCVTTPS2DQ Y2, Y2          \
	VPADDD     BIAS, Y2, Y2    \
	VPSLLD     $23, Y2, Y2     \
	VMULPS     Y2, Y4, Y4      \
	VADDPS     Y6, Y4, Y5      \
	VDIVPS     Y5, Y4, Y4      \
	VCMPPS     $1, CUT, Y1, Y5 \
	VANDNPS    Y4, Y5, Y4      \
	VSUBPS     Y4, Y6, Y5      \
	VBLENDVPS  Y0, Y4, Y5, Y1

// activateAVX2 is activateGo: for r < rows, j < cols,
//
//	dst[r*ld+j] = a.Apply(src[r*ld+j])
//
// with rows, cols ≥ 1 and a.Kind not ActNone; dst may be src. Each row runs
// 8 values at a time; its last 1-7 values are copied to a stack buffer,
// computed there as a whole vector and copied back, so that every value
// goes through the same instructions.
//
// Register roles: SI, DI: the current row of src and dst; R8: ld in bytes;
// R9: rows left; CX: cols; R11: kind; AX: index in the row; DX: values in
// the tail; R13, R14: where the current vector is read and written; R12: 1
// while the tail is computed. Y0: the values; Y1-Y5: scratch; Y6: 1.0;
// Y12: Alpha; Y13: Hi; Y14: Lo; Y15: zero.
//
// func activateAVX2(dst, src *float32, ld, rows, cols int, a *Activation)
// Requires: AVX, AVX2
TEXT ·activateAVX2(SB), NOSPLIT, $32-48
	MOVQ         dst+0(FP), DI
	MOVQ         src+8(FP), SI
	MOVQ         ld+16(FP), R8
	SHLQ         $2, R8
	MOVQ         rows+24(FP), R9
	MOVQ         cols+32(FP), CX
	MOVQ         a+40(FP), R10
	MOVBQZX      (R10), R11
	VBROADCASTSS 4(R10), Y14
	VBROADCASTSS 8(R10), Y13
	VBROADCASTSS 12(R10), Y12
	VXORPS       Y15, Y15, Y15
	VMOVUPS      ONE, Y6
	TESTQ        R9, R9
	JZ           done
	TESTQ        CX, CX
	JZ           done

row:
	XORQ AX, AX

vec:
	LEAQ 8(AX), BX
	CMPQ BX, CX
	JGT  tail
	LEAQ (SI)(AX*4), R13
	LEAQ (DI)(AX*4), R14
	XORQ R12, R12
	JMP  apply

tail:
	MOVQ CX, DX
	SUBQ AX, DX
	JZ   next
	LEAQ (SI)(AX*4), R13
	LEAQ buf-32(SP), R14
	XORQ BX, BX

tailin:
	MOVL (R13)(BX*4), R15
	MOVL R15, (R14)(BX*4)
	INCQ BX
	CMPQ BX, DX
	JLT  tailin
	MOVQ R14, R13
	MOVQ $1, R12

apply:
	VMOVUPS (R13), Y0
	CMPQ    R11, $1
	JEQ     relu
	CMPQ    R11, $2
	JEQ     clip
	CMPQ    R11, $3
	JEQ     leaky
	CMPQ    R11, $4
	JEQ     hardswish
	CMPQ    R11, $5
	JEQ     sigmoid
	SIGMOID
	VMULPS  Y1, Y0, Y0 // SiLU
	JMP     store

relu:
	VMAXPS Y0, Y15, Y0
	JMP    store

clip:
	VMAXPS Y0, Y14, Y0
	VMINPS Y0, Y13, Y0
	JMP    store

leaky:
	VMULPS    Y12, Y0, Y1
	VBLENDVPS Y0, Y1, Y0, Y0
	JMP       store

hardswish:
	VADDPS  THREE, Y0, Y1
	VMAXPS  Y1, Y15, Y1
	VMOVUPS SIX, Y2
	VMINPS  Y1, Y2, Y1
	VMULPS  Y1, Y0, Y0
	VMULPS  SIXTH, Y0, Y0
	JMP     store

sigmoid:
	SIGMOID
	VMOVUPS Y1, Y0

store:
	VMOVUPS Y0, (R14)
	TESTQ   R12, R12
	JNZ     tailout
	ADDQ    $8, AX
	JMP     vec

tailout:
	XORQ BX, BX
	LEAQ (DI)(AX*4), R13

tailcopy:
	MOVL (R14)(BX*4), R15
	MOVL R15, (R13)(BX*4)
	INCQ BX
	CMPQ BX, DX
	JLT  tailcopy

next:
	ADDQ R8, SI
	ADDQ R8, DI
	DECQ R9
	JNZ  row

done:
	VZEROUPPER
	RET
