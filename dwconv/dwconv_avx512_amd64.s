//go:build amd64 && gc && !purego

#include "textflag.h"

// The AVX-512 depthwise row kernels. A channel tile is one zmm register of
// 16 channels; the packed weights of a tile are its bias then one vector
// per tap, 64 bytes each. Each tile accumulates the even taps (and the
// bias) in Z0 and the odd taps in Z2, two independent FMA chains, summed
// before the clip. The last tile of a channel count that is not a multiple
// of 16 runs under mask K1: its loads read only the live channels (masked
// lanes do not fault) and its store writes only them.
//
// Clip: Z28 holds lo, Z29 hi. VMAXPS/VMINPS return their second source,
// the accumulator, when either is NaN, so a NaN passes through as it does
// with Go's min and max.

// One tap of a full tile: input at (ptr) plus the offset R14, weight at
// woff(R12), into accumulator acc (Z0 or Z2) through Z1 or Z3.
#define TAP_FULL(ptr, woff, tmp, acc) \
	VMOVUPS     (ptr)(R14*1), tmp \
	VFMADD231PS woff(R12), tmp, acc

// The same tap for the masked tail tile.
#define TAP_MASKED(ptr, woff, tmp, acc) \
	VMOVUPS.Z   (ptr)(R14*1), K1, tmp \
	VFMADD231PS woff(R12), tmp, acc

// Sums the two chains and clips to [lo, hi].
#define FINISH \
	VADDPS Z2, Z0, Z0  \
	VMAXPS Z0, Z28, Z0 \
	VMINPS Z0, Z29, Z0

// Register roles in dwconv9AVX512:
//   AX, BX, CX, DX, SI, DI, R8, R9, R10: the nine tap pointers, at pixel 0
//   R11: input offset of the current pixel in bytes (x·step·4)
//   R12: weights of the current tile          R13: channel offset in bytes
//   R14: R11+R13, the index of every tap load R15: the current output pixel
//   K1: tail mask (channels mod 16 lanes)     Z28, Z29: lo, hi
// The argument slots of step, outStride and channels are rewritten in
// bytes (channels as the bytes of its full tiles) to free registers; width
// counts down in its slot.

// func dwconv9AVX512(out *float32, outStride int, in **float32, step, width, channels int, w *float32, lo, hi float32)
// Requires: AVX512F
TEXT ·dwconv9AVX512(SB), NOSPLIT, $0-64
	MOVQ width+32(FP), R11
	TESTQ R11, R11
	JLE  done
	MOVQ channels+40(FP), R13
	TESTQ R13, R13
	JLE  done

	// K1 = (1 << (channels mod 16)) - 1; the full tiles' bytes in the slot.
	MOVQ R13, CX
	ANDQ $15, CX
	MOVQ $1, R14
	SHLQ CX, R14
	DECQ R14
	KMOVW R14, K1
	ANDQ $-16, R13
	SHLQ $2, R13
	MOVQ R13, channels+40(FP)
	MOVQ step+24(FP), R13
	SHLQ $2, R13
	MOVQ R13, step+24(FP)
	MOVQ outStride+8(FP), R13
	SHLQ $2, R13
	MOVQ R13, outStride+8(FP)

	VBROADCASTSS lo+56(FP), Z28
	VBROADCASTSS hi+60(FP), Z29

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
	VMOVUPS (R12), Z0
	TAP_FULL(AX, 64, Z1, Z0)
	VMOVUPS (BX)(R14*1), Z3
	VMULPS  128(R12), Z3, Z2
	TAP_FULL(CX, 192, Z1, Z0)
	TAP_FULL(DX, 256, Z3, Z2)
	TAP_FULL(SI, 320, Z1, Z0)
	TAP_FULL(DI, 384, Z3, Z2)
	TAP_FULL(R8, 448, Z1, Z0)
	TAP_FULL(R9, 512, Z3, Z2)
	TAP_FULL(R10, 576, Z1, Z0)
	FINISH
	VMOVUPS Z0, (R15)(R13*1)
	ADDQ    $640, R12
	ADDQ    $64, R13
	CMPQ    R13, channels+40(FP)
	JLT     tile

tail:
	KORTESTW K1, K1
	JZ       next
	LEAQ     (R11)(R13*1), R14
	VMOVUPS  (R12), Z0
	TAP_MASKED(AX, 64, Z1, Z0)
	VMOVUPS.Z (BX)(R14*1), K1, Z3
	VMULPS   128(R12), Z3, Z2
	TAP_MASKED(CX, 192, Z1, Z0)
	TAP_MASKED(DX, 256, Z3, Z2)
	TAP_MASKED(SI, 320, Z1, Z0)
	TAP_MASKED(DI, 384, Z3, Z2)
	TAP_MASKED(R8, 448, Z1, Z0)
	TAP_MASKED(R9, 512, Z3, Z2)
	TAP_MASKED(R10, 576, Z1, Z0)
	FINISH
	VMOVUPS  Z0, K1, (R15)(R13*1)

next:
	ADDQ step+24(FP), R11
	ADDQ outStride+8(FP), R15
	DECQ width+32(FP)
	JNZ  pixel

done:
	VZEROUPPER
	RET

// Register roles in dwconvAVX512 (any tap count):
//   R8: the tap pointer array                 SI: taps
//   R11: input offset of the current pixel    R12: weights of the current tile
//   R13: channel offset in bytes              R14: R11+R13, every tap load's index
//   R15: the current output pixel             R9: taps left in the tile
//   R10: a tap pointer                        DX: walks the tile's weights
//   DI: walks the tap pointers                CX: bytes of one packed tile
//   BX: width left                            AX: step in bytes
//   K1: tail mask                             Z28, Z29: lo, hi
// The taps go two at a time into Z0 and Z2, an odd last one into Z0.

// Starts a tile: the bias into Z0, zero into Z2; DI walks the tap
// pointers, DX the tile's tap weights, R9 counts the taps.
#define TILE_START \
	MOVQ    R8, DI      \
	LEAQ    64(R12), DX \
	VMOVUPS (R12), Z0   \
	VXORPS  Z2, Z2, Z2  \
	MOVQ    SI, R9

// Two taps of a full tile, into Z0 and Z2.
#define PAIR_FULL \
	MOVQ        (DI), R10           \
	VMOVUPS     (R10)(R14*1), Z1    \
	VFMADD231PS (DX), Z1, Z0        \
	MOVQ        8(DI), R10          \
	VMOVUPS     (R10)(R14*1), Z3    \
	VFMADD231PS 64(DX), Z3, Z2      \
	ADDQ        $16, DI             \
	ADDQ        $128, DX

// One tap of a full tile, into Z0.
#define ONE_FULL \
	MOVQ        (DI), R10        \
	VMOVUPS     (R10)(R14*1), Z1 \
	VFMADD231PS (DX), Z1, Z0

// The same for the masked tail tile.
#define PAIR_MASKED \
	MOVQ        (DI), R10               \
	VMOVUPS.Z   (R10)(R14*1), K1, Z1    \
	VFMADD231PS (DX), Z1, Z0            \
	MOVQ        8(DI), R10              \
	VMOVUPS.Z   (R10)(R14*1), K1, Z3    \
	VFMADD231PS 64(DX), Z3, Z2          \
	ADDQ        $16, DI                 \
	ADDQ        $128, DX

#define ONE_MASKED \
	MOVQ        (DI), R10            \
	VMOVUPS.Z   (R10)(R14*1), K1, Z1 \
	VFMADD231PS (DX), Z1, Z0

// func dwconvAVX512(out *float32, outStride int, in **float32, taps, step, width, channels int, w *float32, lo, hi float32)
// Requires: AVX512F
TEXT ·dwconvAVX512(SB), NOSPLIT, $0-72
	MOVQ width+40(FP), BX
	TESTQ BX, BX
	JLE  gdone
	MOVQ channels+48(FP), R13
	TESTQ R13, R13
	JLE  gdone
	MOVQ taps+24(FP), SI
	TESTQ SI, SI
	JLE  gdone

	MOVQ R13, CX
	ANDQ $15, CX
	MOVQ $1, R14
	SHLQ CX, R14
	DECQ R14
	KMOVW R14, K1
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

	VBROADCASTSS lo+64(FP), Z28
	VBROADCASTSS hi+68(FP), Z29

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
	VMOVUPS Z0, (R15)(R13*1)
	ADDQ    CX, R12
	ADDQ    $64, R13
	CMPQ    R13, channels+48(FP)
	JLT     gtile

gtail:
	KORTESTW K1, K1
	JZ       gnext
	LEAQ     (R11)(R13*1), R14
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
	VMOVUPS  Z0, K1, (R15)(R13*1)

gnext:
	ADDQ AX, R11
	ADDQ outStride+8(FP), R15
	DECQ BX
	JNZ  gpixel

gdone:
	VZEROUPPER
	RET
