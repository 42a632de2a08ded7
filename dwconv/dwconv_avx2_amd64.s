//go:build amd64 && gc && !purego

#include "textflag.h"
#include "dwconv_amd64.h"

// The AVX2+FMA depthwise row kernels. The packed weights of a tile of 16
// channels are its bias then one 16-float vector per tap, 64 bytes each;
// a ymm register holds half of one (8 channels). dwconv9AVX2 works on half
// tiles; dwconvAVX2 on whole tiles, lo (channels 0-7) and hi (8-15) in two
// registers, the even taps (and the bias) in Y0, Y1 and the odd taps in
// Y2, Y3, two independent FMA chains summed before the clip, and the last
// tile of a channel count that is not a multiple of 16 under the lane
// masks Y12 (lo) and Y13 (hi) with VMASKMOVPS: masked lanes are neither
// read (no fault) nor written.
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

// Sums dwconvAVX2's two chains and clips to [lo, hi].
#define FINISH \
	VADDPS Y2, Y0, Y0  \
	VADDPS Y3, Y1, Y1  \
	VMAXPS Y0, Y14, Y0 \
	VMAXPS Y1, Y14, Y1 \
	VMINPS Y0, Y15, Y0 \
	VMINPS Y1, Y15, Y1

// dwconv9AVX2 runs 8 channels at a time, half a packed tile: their bias
// and nine tap weights stay in registers while every pixel of the row
// goes through them (weights stationary), so that each pixel costs nine
// loads folded into its FMAs and one store, and the pixels' independent
// chains overlap in the out-of-order core. The last 1-7 channels run
// under the lane mask Y12 with VMASKMOVPS (masked lanes are neither read,
// so never fault, nor written).
//
// Register roles in dwconv9AVX2:
//   AX, BX, CX, DX, SI, DI, R8, R9, R10: the nine tap pointers, at pixel 0
//   R11: pixels left in the group's row       R12: weights of the current half tile
//   R13: channel offset in bytes              R14: R13 + x·step·4, every tap's index
//   R15: the current output pixel of the group
//   Y0: bias, Y1-Y9: tap weights              Y10, Y11: the two chains
//   Y12: tail mask                            Y13: a masked load
//   Y14, Y15: lo, hi
// The argument slots of step, outStride and channels are rewritten in
// bytes (channels as the bytes of its full groups of 8) to free registers.

// Loads the half tile's bias and nine tap weights, 64 bytes apart.
#define LOAD_WEIGHTS9 \
	VMOVUPS (R12), Y0    \
	VMOVUPS 64(R12), Y1  \
	VMOVUPS 128(R12), Y2 \
	VMOVUPS 192(R12), Y3 \
	VMOVUPS 256(R12), Y4 \
	VMOVUPS 320(R12), Y5 \
	VMOVUPS 384(R12), Y6 \
	VMOVUPS 448(R12), Y7 \
	VMOVUPS 512(R12), Y8 \
	VMOVUPS 576(R12), Y9

// One tap of the tail group: a masked load, then the FMA.
#define TAP_MASKED(ptr, w, acc) \
	VMASKMOVPS  (ptr)(R14*1), Y12, Y13 \
	VFMADD231PS Y13, w, acc

// Sums dwconv9AVX2's two chains and clips to [lo, hi].
#define FINISH_WS \
	VADDPS Y11, Y10, Y10 \
	VMAXPS Y10, Y14, Y10 \
	VMINPS Y10, Y15, Y10

// func dwconv9AVX2(out *float32, outStride int, in **float32, step, width, channels int, w *float32, lo, hi float32)
// Requires: AVX, AVX2, FMA3
TEXT ·dwconv9AVX2(SB), NOSPLIT, $0-64
	RETURN_IF_EMPTY(width+32(FP), channels+40(FP), done)

	// Y12: the first channels mod 8 lanes; the full groups' bytes in the slot.
	MOVQ    R13, R11
	ANDQ    $7, R11
	NEGQ    R11
	LEAQ    maskTable<>+32(SB), R15
	VMOVUPS (R15)(R11*4), Y12
	ANDQ    $-8, R13
	SHLQ    $2, R13
	MOVQ    R13, channels+40(FP)
	SLOT_TO_BYTES(step+24(FP))
	SLOT_TO_BYTES(outStride+8(FP))

	VBROADCASTSS lo+56(FP), Y14
	VBROADCASTSS hi+60(FP), Y15

	LOAD_TAPS9
	MOVQ w+48(FP), R12
	XORQ R13, R13

group:
	CMPQ R13, channels+40(FP)
	JGE  tail
	LOAD_WEIGHTS9
	MOVQ R13, R14
	MOVQ out+0(FP), R15
	ADDQ R13, R15
	MOVQ width+32(FP), R11

pixel:
	VMOVAPS     Y0, Y10
	VFMADD231PS (AX)(R14*1), Y1, Y10
	VMULPS      (BX)(R14*1), Y2, Y11
	VFMADD231PS (CX)(R14*1), Y3, Y10
	VFMADD231PS (DX)(R14*1), Y4, Y11
	VFMADD231PS (SI)(R14*1), Y5, Y10
	VFMADD231PS (DI)(R14*1), Y6, Y11
	VFMADD231PS (R8)(R14*1), Y7, Y10
	VFMADD231PS (R9)(R14*1), Y8, Y11
	VFMADD231PS (R10)(R14*1), Y9, Y10
	FINISH_WS
	VMOVUPS     Y10, (R15)
	ADDQ        step+24(FP), R14
	ADDQ        outStride+8(FP), R15
	DECQ        R11
	JNZ         pixel

	// The next half tile: the upper half of this tile, or the next tile.
	TESTQ $32, R13
	JNZ   upper
	ADDQ  $32, R12
	JMP   nextgroup

upper:
	ADDQ $608, R12

nextgroup:
	ADDQ $32, R13
	JMP  group

tail:
	VPTEST Y12, Y12
	JZ     done
	LOAD_WEIGHTS9
	MOVQ   R13, R14
	MOVQ   out+0(FP), R15
	ADDQ   R13, R15
	MOVQ   width+32(FP), R11

mpixel:
	VMOVAPS Y0, Y10
	VXORPS  Y11, Y11, Y11
	TAP_MASKED(AX, Y1, Y10)
	TAP_MASKED(BX, Y2, Y11)
	TAP_MASKED(CX, Y3, Y10)
	TAP_MASKED(DX, Y4, Y11)
	TAP_MASKED(SI, Y5, Y10)
	TAP_MASKED(DI, Y6, Y11)
	TAP_MASKED(R8, Y7, Y10)
	TAP_MASKED(R9, Y8, Y11)
	TAP_MASKED(R10, Y9, Y10)
	FINISH_WS
	VMASKMOVPS Y10, Y12, (R15)
	ADDQ       step+24(FP), R14
	ADDQ       outStride+8(FP), R15
	DECQ       R11
	JNZ        mpixel

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
	SLOT_TO_BYTES(outStride+8(FP))
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
