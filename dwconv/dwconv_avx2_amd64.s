//go:build amd64 && gc && !purego

#include "textflag.h"

// The AVX2+FMA depthwise row kernels. A channel tile of 16 is two ymm
// registers, lo (channels 0-7) and hi (8-15); the packed weights of a tile
// are its bias then one 16-float vector per tap, 64 bytes each. The even
// taps (and the bias) accumulate in Y0, Y1 and the odd taps in Y2, Y3, two
// independent FMA chains summed before the clip. The last tile of a
// channel count that is not a multiple of 16 runs under the lane masks
// Y12 (lo) and Y13 (hi) with VMASKMOVPS: masked lanes are neither read
// (no fault) nor written.
//
// Clip: Y14 holds lo, Y15 hi. VMAXPS/VMINPS return their second source,
// the accumulator, when either is NaN, so a NaN passes through as it does
// with Go's min and max.

// maskTable: eight all-ones lanes then eight zero lanes; the 8 lanes at
// byte offset 4·(8-n) are a mask of the first n lanes, n in 0..8.
DATA maskTable<>+0(SB)/4, $0xffffffff
DATA maskTable<>+4(SB)/4, $0xffffffff
DATA maskTable<>+8(SB)/4, $0xffffffff
DATA maskTable<>+12(SB)/4, $0xffffffff
DATA maskTable<>+16(SB)/4, $0xffffffff
DATA maskTable<>+20(SB)/4, $0xffffffff
DATA maskTable<>+24(SB)/4, $0xffffffff
DATA maskTable<>+28(SB)/4, $0xffffffff
DATA maskTable<>+32(SB)/4, $0
DATA maskTable<>+36(SB)/4, $0
DATA maskTable<>+40(SB)/4, $0
DATA maskTable<>+44(SB)/4, $0
DATA maskTable<>+48(SB)/4, $0
DATA maskTable<>+52(SB)/4, $0
DATA maskTable<>+56(SB)/4, $0
DATA maskTable<>+60(SB)/4, $0
GLOBL maskTable<>(SB), RODATA|NOPTR, $64

// Loads the tail masks Y12, Y13 for rem = channels mod 16 lanes, held in
// reg (clobbered): lo gets min(rem, 8) lanes, hi the rest. tmp and R15 are
// scratch.
#define TAIL_MASKS(reg, tmp) \
	MOVQ    reg, tmp                \
	MOVQ    $8, R15                 \
	CMPQ    tmp, R15                \
	CMOVQGT R15, tmp                \
	SUBQ    tmp, reg                \
	NEGQ    tmp                     \
	NEGQ    reg                     \
	LEAQ    maskTable<>+32(SB), R15 \
	VMOVUPS (R15)(tmp*4), Y12       \
	VMOVUPS (R15)(reg*4), Y13

// One tap of a full tile: 16 inputs at (ptr) plus the offset R14, the
// weights at wlo(R12) and whi(R12), into the accumulators a0, a1.
#define TAP_FULL(ptr, wlo, whi, t0, t1, a0, a1) \
	VMOVUPS     (ptr)(R14*1), t0   \
	VMOVUPS     32(ptr)(R14*1), t1 \
	VFMADD231PS wlo(R12), t0, a0   \
	VFMADD231PS whi(R12), t1, a1

// The same tap for the masked tail tile.
#define TAP_MASKED(ptr, wlo, whi, t0, t1, a0, a1) \
	VMASKMOVPS  (ptr)(R14*1), Y12, t0   \
	VMASKMOVPS  32(ptr)(R14*1), Y13, t1 \
	VFMADD231PS wlo(R12), t0, a0        \
	VFMADD231PS whi(R12), t1, a1

// Sums the two chains and clips to [lo, hi].
#define FINISH \
	VADDPS Y2, Y0, Y0  \
	VADDPS Y3, Y1, Y1  \
	VMAXPS Y0, Y14, Y0 \
	VMAXPS Y1, Y14, Y1 \
	VMINPS Y0, Y15, Y0 \
	VMINPS Y1, Y15, Y1

// Register roles in dwconv9AVX2:
//   AX, BX, CX, DX, SI, DI, R8, R9, R10: the nine tap pointers, at pixel 0
//   R11: input offset of the current pixel in bytes (x·step·4)
//   R12: weights of the current tile          R13: channel offset in bytes
//   R14: R11+R13, the index of every tap load R15: the current output pixel
//   Y12, Y13: tail masks                      Y14, Y15: lo, hi
//   Y4-Y7: loaded inputs
// The argument slots of step, outStride and channels are rewritten in
// bytes (channels as the bytes of its full tiles) to free registers; width
// counts down in its slot.

// func dwconv9AVX2(out *float32, outStride int, in **float32, step, width, channels int, w *float32, lo, hi float32)
// Requires: AVX, AVX2, FMA3
TEXT ·dwconv9AVX2(SB), NOSPLIT, $0-64
	MOVQ width+32(FP), R11
	TESTQ R11, R11
	JLE  done
	MOVQ channels+40(FP), R13
	TESTQ R13, R13
	JLE  done

	MOVQ R13, R11
	ANDQ $15, R11
	TAIL_MASKS(R11, R14)
	ANDQ $-16, R13
	SHLQ $2, R13
	MOVQ R13, channels+40(FP)
	MOVQ step+24(FP), R13
	SHLQ $2, R13
	MOVQ R13, step+24(FP)
	MOVQ outStride+8(FP), R13
	SHLQ $2, R13
	MOVQ R13, outStride+8(FP)

	VBROADCASTSS lo+56(FP), Y14
	VBROADCASTSS hi+60(FP), Y15

	MOVQ in+16(FP), R15
	MOVQ 0(R15), AX
	MOVQ 8(R15), BX
	MOVQ 16(R15), CX
	MOVQ 24(R15), DX
	MOVQ 32(R15), SI
	MOVQ 40(R15), DI
	MOVQ 48(R15), R8
	MOVQ 56(R15), R9
	MOVQ 64(R15), R10
	MOVQ out+0(FP), R15
	XORQ R11, R11

pixel:
	MOVQ w+48(FP), R12
	XORQ R13, R13
	CMPQ R13, channels+40(FP)
	JGE  tail

tile:
	LEAQ    (R11)(R13*1), R14
	VMOVUPS (R12), Y0
	VMOVUPS 32(R12), Y1
	TAP_FULL(AX, 64, 96, Y4, Y5, Y0, Y1)
	VMOVUPS (BX)(R14*1), Y6
	VMOVUPS 32(BX)(R14*1), Y7
	VMULPS  128(R12), Y6, Y2
	VMULPS  160(R12), Y7, Y3
	TAP_FULL(CX, 192, 224, Y4, Y5, Y0, Y1)
	TAP_FULL(DX, 256, 288, Y6, Y7, Y2, Y3)
	TAP_FULL(SI, 320, 352, Y4, Y5, Y0, Y1)
	TAP_FULL(DI, 384, 416, Y6, Y7, Y2, Y3)
	TAP_FULL(R8, 448, 480, Y4, Y5, Y0, Y1)
	TAP_FULL(R9, 512, 544, Y6, Y7, Y2, Y3)
	TAP_FULL(R10, 576, 608, Y4, Y5, Y0, Y1)
	FINISH
	VMOVUPS Y0, (R15)(R13*1)
	VMOVUPS Y1, 32(R15)(R13*1)
	ADDQ    $640, R12
	ADDQ    $64, R13
	CMPQ    R13, channels+40(FP)
	JLT     tile

tail:
	VPTEST Y12, Y12
	JZ     next
	LEAQ   (R11)(R13*1), R14
	VMOVUPS (R12), Y0
	VMOVUPS 32(R12), Y1
	TAP_MASKED(AX, 64, 96, Y4, Y5, Y0, Y1)
	VMASKMOVPS (BX)(R14*1), Y12, Y6
	VMASKMOVPS 32(BX)(R14*1), Y13, Y7
	VMULPS  128(R12), Y6, Y2
	VMULPS  160(R12), Y7, Y3
	TAP_MASKED(CX, 192, 224, Y4, Y5, Y0, Y1)
	TAP_MASKED(DX, 256, 288, Y6, Y7, Y2, Y3)
	TAP_MASKED(SI, 320, 352, Y4, Y5, Y0, Y1)
	TAP_MASKED(DI, 384, 416, Y6, Y7, Y2, Y3)
	TAP_MASKED(R8, 448, 480, Y4, Y5, Y0, Y1)
	TAP_MASKED(R9, 512, 544, Y6, Y7, Y2, Y3)
	TAP_MASKED(R10, 576, 608, Y4, Y5, Y0, Y1)
	FINISH
	VMASKMOVPS Y0, Y12, (R15)(R13*1)
	VMASKMOVPS Y1, Y13, 32(R15)(R13*1)

next:
	ADDQ step+24(FP), R11
	ADDQ outStride+8(FP), R15
	DECQ width+32(FP)
	JNZ  pixel

done:
	VZEROUPPER
	RET

// Register roles in dwconvAVX2 (any tap count):
//   R8: the tap pointer array                 SI: taps
//   R11: input offset of the current pixel    R12: weights of the current tile
//   R13: channel offset in bytes              R14: R11+R13, every tap load's index
//   R15: the current output pixel             R9: taps left in the tile
//   R10: a tap pointer                        DX: walks the tile's weights
//   DI: walks the tap pointers                CX: bytes of one packed tile
//   BX: width left                            AX: step in bytes
//   Y12, Y13: tail masks                      Y14, Y15: lo, hi
// The taps go two at a time into Y0, Y1 and Y2, Y3, an odd last one into
// Y0, Y1.

// Starts a tile: the bias into Y0, Y1, zeros into Y2, Y3.
#define TILE_START \
	MOVQ    R8, DI      \
	LEAQ    64(R12), DX \
	VMOVUPS (R12), Y0   \
	VMOVUPS 32(R12), Y1 \
	VXORPS  Y2, Y2, Y2  \
	VXORPS  Y3, Y3, Y3  \
	MOVQ    SI, R9

#define PAIR_FULL \
	MOVQ        (DI), R10            \
	VMOVUPS     (R10)(R14*1), Y4     \
	VMOVUPS     32(R10)(R14*1), Y5   \
	VFMADD231PS (DX), Y4, Y0         \
	VFMADD231PS 32(DX), Y5, Y1       \
	MOVQ        8(DI), R10           \
	VMOVUPS     (R10)(R14*1), Y6     \
	VMOVUPS     32(R10)(R14*1), Y7   \
	VFMADD231PS 64(DX), Y6, Y2       \
	VFMADD231PS 96(DX), Y7, Y3       \
	ADDQ        $16, DI              \
	ADDQ        $128, DX

#define ONE_FULL \
	MOVQ        (DI), R10          \
	VMOVUPS     (R10)(R14*1), Y4   \
	VMOVUPS     32(R10)(R14*1), Y5 \
	VFMADD231PS (DX), Y4, Y0       \
	VFMADD231PS 32(DX), Y5, Y1

#define PAIR_MASKED \
	MOVQ        (DI), R10                 \
	VMASKMOVPS  (R10)(R14*1), Y12, Y4     \
	VMASKMOVPS  32(R10)(R14*1), Y13, Y5   \
	VFMADD231PS (DX), Y4, Y0              \
	VFMADD231PS 32(DX), Y5, Y1            \
	MOVQ        8(DI), R10                \
	VMASKMOVPS  (R10)(R14*1), Y12, Y6     \
	VMASKMOVPS  32(R10)(R14*1), Y13, Y7   \
	VFMADD231PS 64(DX), Y6, Y2            \
	VFMADD231PS 96(DX), Y7, Y3            \
	ADDQ        $16, DI                   \
	ADDQ        $128, DX

#define ONE_MASKED \
	MOVQ        (DI), R10               \
	VMASKMOVPS  (R10)(R14*1), Y12, Y4   \
	VMASKMOVPS  32(R10)(R14*1), Y13, Y5 \
	VFMADD231PS (DX), Y4, Y0            \
	VFMADD231PS 32(DX), Y5, Y1

// func dwconvAVX2(out *float32, outStride int, in **float32, taps, step, width, channels int, w *float32, lo, hi float32)
// Requires: AVX, AVX2, FMA3
TEXT ·dwconvAVX2(SB), NOSPLIT, $0-72
	MOVQ width+40(FP), BX
	TESTQ BX, BX
	JLE  gdone
	MOVQ channels+48(FP), R13
	TESTQ R13, R13
	JLE  gdone
	MOVQ taps+24(FP), SI
	TESTQ SI, SI
	JLE  gdone

	MOVQ R13, R11
	ANDQ $15, R11
	TAIL_MASKS(R11, R14)
	ANDQ $-16, R13
	SHLQ $2, R13
	MOVQ R13, channels+48(FP)
	MOVQ outStride+8(FP), R13
	SHLQ $2, R13
	MOVQ R13, outStride+8(FP)
	MOVQ step+32(FP), AX
	SHLQ $2, AX
	LEAQ 1(SI), CX
	SHLQ $6, CX

	VBROADCASTSS lo+64(FP), Y14
	VBROADCASTSS hi+68(FP), Y15

	MOVQ in+16(FP), R8
	MOVQ out+0(FP), R15
	XORQ R11, R11

gpixel:
	MOVQ w+56(FP), R12
	XORQ R13, R13
	CMPQ R13, channels+48(FP)
	JGE  gtail

gtile:
	LEAQ (R11)(R13*1), R14
	TILE_START
	CMPQ R9, $2
	JLT  godd

gpair:
	PAIR_FULL
	SUBQ $2, R9
	CMPQ R9, $2
	JGE  gpair

godd:
	TESTQ R9, R9
	JZ    gstore
	ONE_FULL

gstore:
	FINISH
	VMOVUPS Y0, (R15)(R13*1)
	VMOVUPS Y1, 32(R15)(R13*1)
	ADDQ    CX, R12
	ADDQ    $64, R13
	CMPQ    R13, channels+48(FP)
	JLT     gtile

gtail:
	VPTEST Y12, Y12
	JZ     gnext
	LEAQ   (R11)(R13*1), R14
	TILE_START
	CMPQ R9, $2
	JLT  modd

mpair:
	PAIR_MASKED
	SUBQ $2, R9
	CMPQ R9, $2
	JGE  mpair

modd:
	TESTQ R9, R9
	JZ    mstore
	ONE_MASKED

mstore:
	FINISH
	VMASKMOVPS Y0, Y12, (R15)(R13*1)
	VMASKMOVPS Y1, Y13, 32(R15)(R13*1)

gnext:
	ADDQ AX, R11
	ADDQ outStride+8(FP), R15
	DECQ BX
	JNZ  gpixel

gdone:
	VZEROUPPER
	RET
