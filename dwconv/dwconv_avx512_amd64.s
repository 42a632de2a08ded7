//go:build amd64 && gc && !purego

#include "textflag.h"
#include "dwconv_amd64.h"

// The AVX-512 depthwise row kernels. A channel tile is one zmm register of
// 16 channels; the packed weights of a tile are its bias then one vector
// per tap, 64 bytes each. Each output vector sums its taps in two
// independent FMA chains (even taps and the bias, odd taps), added before
// the clip. The last tile of a channel count that is not a multiple of 16
// runs under mask K1: its loads read only the live channels (masked lanes
// do not fault) and its store writes only them.
//
// Clip: VMAXPS/VMINPS return their second source, the accumulator, when
// either is NaN, so a NaN passes through as it does with Go's min and max.

// From the channel count in R13: K1 = (1 << (channels mod 16)) - 1, the
// tail tile's lanes, and the bytes of the full tiles into slot; CX and R14
// are scratch.
#define MASK_K1_TAIL(slot) \
	MOVQ  R13, CX   \
	ANDQ  $15, CX   \
	MOVQ  $1, R14   \
	SHLQ  CX, R14   \
	DECQ  R14       \
	KMOVW R14, K1   \
	ANDQ  $-16, R13 \
	SHLQ  $2, R13   \
	MOVQ  R13, slot

// Sums dwconvAVX512's two chains, Z0 and Z2, and clips to [lo, hi] (Z28,
// Z29).
#define FINISH \
	VADDPS Z2, Z0, Z0  \
	VMAXPS Z0, Z28, Z0 \
	VMINPS Z0, Z29, Z0

// dwconv9AVX512 keeps a tile's bias and nine tap weights in registers and
// runs every pixel of the row through them (weights stationary), so that
// each pixel costs nine loads folded into its nine FMAs and one store; the
// pixels' chains are independent and overlap in the out-of-order core.
//
// Register roles in dwconv9AVX512:
//   AX, BX, CX, DX, SI, DI, R8, R9, R10: the nine tap pointers, at pixel 0
//   R11: pixels left in the tile's row        R12: weights of the current tile
//   R13: channel offset in bytes              R14: R13 + x·step·4, every tap's index
//   R15: the current output pixel of the tile
//   Z20: bias, Z21-Z29: tap weights           Z0, Z1: the two chains
//   K1: tail mask (channels mod 16 lanes)
//   Z30, Z31: lo, hi
// The argument slots of step, outStride and channels are rewritten in
// bytes (channels as the bytes of its full tiles) to free registers.

// Loads the tile's bias and nine tap weights.
#define LOAD_WEIGHTS9 \
	VMOVUPS (R12), Z20    \
	VMOVUPS 64(R12), Z21  \
	VMOVUPS 128(R12), Z22 \
	VMOVUPS 192(R12), Z23 \
	VMOVUPS 256(R12), Z24 \
	VMOVUPS 320(R12), Z25 \
	VMOVUPS 384(R12), Z26 \
	VMOVUPS 448(R12), Z27 \
	VMOVUPS 512(R12), Z28 \
	VMOVUPS 576(R12), Z29

// Sums the two chains and clips to [lo, hi] (Z30, Z31).
#define FINISH_WS \
	VADDPS Z1, Z0, Z0  \
	VMAXPS Z0, Z30, Z0 \
	VMINPS Z0, Z31, Z0

// func dwconv9AVX512(out *float32, outStride int, in **float32, step, width, channels int, w *float32, lo, hi float32)
// Requires: AVX512F
TEXT ·dwconv9AVX512(SB), NOSPLIT, $0-64
	RETURN_IF_EMPTY(width+32(FP), channels+40(FP), done)

	MASK_K1_TAIL(channels+40(FP))
	SLOT_TO_BYTES(step+24(FP))
	SLOT_TO_BYTES(outStride+8(FP))

	VBROADCASTSS lo+56(FP), Z30
	VBROADCASTSS hi+60(FP), Z31

	LOAD_TAPS9
	MOVQ w+48(FP), R12
	XORQ R13, R13

tile:
	CMPQ R13, channels+40(FP)
	JGE  tail
	LOAD_WEIGHTS9
	MOVQ R13, R14
	MOVQ out+0(FP), R15
	ADDQ R13, R15
	MOVQ width+32(FP), R11

pixel:
	VMOVAPS     Z20, Z0
	VFMADD231PS (AX)(R14*1), Z21, Z0
	VMULPS      (BX)(R14*1), Z22, Z1
	VFMADD231PS (CX)(R14*1), Z23, Z0
	VFMADD231PS (DX)(R14*1), Z24, Z1
	VFMADD231PS (SI)(R14*1), Z25, Z0
	VFMADD231PS (DI)(R14*1), Z26, Z1
	VFMADD231PS (R8)(R14*1), Z27, Z0
	VFMADD231PS (R9)(R14*1), Z28, Z1
	VFMADD231PS (R10)(R14*1), Z29, Z0
	FINISH_WS
	VMOVUPS     Z0, (R15)
	ADDQ        step+24(FP), R14
	ADDQ        outStride+8(FP), R15
	DECQ        R11
	JNZ         pixel

	ADDQ $640, R12
	ADDQ $64, R13
	JMP  tile

tail:
	// The last tile under K1: masked loads read only live channels
	// (masked lanes never fault); masked lanes of Z0 keep the bias and
	// those of Z1 are zeroed, and the store writes live lanes only.
	KORTESTW K1, K1
	JZ       done
	LOAD_WEIGHTS9
	MOVQ     R13, R14
	MOVQ     out+0(FP), R15
	ADDQ     R13, R15
	MOVQ     width+32(FP), R11

mpixel:
	VMOVAPS     Z20, Z0
	VFMADD231PS (AX)(R14*1), Z21, K1, Z0
	VMULPS.Z    (BX)(R14*1), Z22, K1, Z1
	VFMADD231PS (CX)(R14*1), Z23, K1, Z0
	VFMADD231PS (DX)(R14*1), Z24, K1, Z1
	VFMADD231PS (SI)(R14*1), Z25, K1, Z0
	VFMADD231PS (DI)(R14*1), Z26, K1, Z1
	VFMADD231PS (R8)(R14*1), Z27, K1, Z0
	VFMADD231PS (R9)(R14*1), Z28, K1, Z1
	VFMADD231PS (R10)(R14*1), Z29, K1, Z0
	FINISH_WS
	VMOVUPS     Z0, K1, (R15)
	ADDQ        step+24(FP), R14
	ADDQ        outStride+8(FP), R15
	DECQ        R11
	JNZ         mpixel

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

	MASK_K1_TAIL(channels+48(FP))
	SLOT_TO_BYTES(outStride+8(FP))
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

// dwconv25AVX512 is dwconv9AVX512 for 5×5 windows (EfficientNet's and
// MobileNetV3's): a tile's bias and 25 tap weights fill Z4-Z29 while every
// pixel of the row goes through them. The tap pointers do not fit in
// registers; each is read from the array (an L1 hit) before its FMA.
//
// Register roles in dwconv25AVX512:
//   R8: the tap pointer array                 R10: a tap pointer
//   R11: pixels left in the tile's row        R12: weights of the current tile
//   R13: channel offset in bytes              R14: R13 + x·step·4, every tap's index
//   R15: the current output pixel of the tile
//   Z4: bias, Z5-Z29: tap weights             Z0, Z1: the two chains
//   K1: tail mask                             Z30, Z31: lo, hi

// func dwconv25AVX512(out *float32, outStride int, in **float32, step, width, channels int, w *float32, lo, hi float32)
// Requires: AVX512F
TEXT ·dwconv25AVX512(SB), NOSPLIT, $0-64
	RETURN_IF_EMPTY(width+32(FP), channels+40(FP), done25)
	MASK_K1_TAIL(channels+40(FP))
	SLOT_TO_BYTES(step+24(FP))
	SLOT_TO_BYTES(outStride+8(FP))

	VBROADCASTSS lo+56(FP), Z30
	VBROADCASTSS hi+60(FP), Z31

	MOVQ in+16(FP), R8
	MOVQ w+48(FP), R12
	XORQ R13, R13

tile25:
	CMPQ R13, channels+40(FP)
	JGE  tail25
	VMOVUPS 0(R12), Z4
	VMOVUPS 64(R12), Z5
	VMOVUPS 128(R12), Z6
	VMOVUPS 192(R12), Z7
	VMOVUPS 256(R12), Z8
	VMOVUPS 320(R12), Z9
	VMOVUPS 384(R12), Z10
	VMOVUPS 448(R12), Z11
	VMOVUPS 512(R12), Z12
	VMOVUPS 576(R12), Z13
	VMOVUPS 640(R12), Z14
	VMOVUPS 704(R12), Z15
	VMOVUPS 768(R12), Z16
	VMOVUPS 832(R12), Z17
	VMOVUPS 896(R12), Z18
	VMOVUPS 960(R12), Z19
	VMOVUPS 1024(R12), Z20
	VMOVUPS 1088(R12), Z21
	VMOVUPS 1152(R12), Z22
	VMOVUPS 1216(R12), Z23
	VMOVUPS 1280(R12), Z24
	VMOVUPS 1344(R12), Z25
	VMOVUPS 1408(R12), Z26
	VMOVUPS 1472(R12), Z27
	VMOVUPS 1536(R12), Z28
	VMOVUPS 1600(R12), Z29
	MOVQ R13, R14
	MOVQ out+0(FP), R15
	ADDQ R13, R15
	MOVQ width+32(FP), R11

pixel25:
	VMOVAPS     Z4, Z0
	MOVQ        0(R8), R10
	VFMADD231PS (R10)(R14*1), Z5, Z0
	MOVQ        8(R8), R10
	VMULPS      (R10)(R14*1), Z6, Z1
	MOVQ        16(R8), R10
	VFMADD231PS (R10)(R14*1), Z7, Z0
	MOVQ        24(R8), R10
	VFMADD231PS (R10)(R14*1), Z8, Z1
	MOVQ        32(R8), R10
	VFMADD231PS (R10)(R14*1), Z9, Z0
	MOVQ        40(R8), R10
	VFMADD231PS (R10)(R14*1), Z10, Z1
	MOVQ        48(R8), R10
	VFMADD231PS (R10)(R14*1), Z11, Z0
	MOVQ        56(R8), R10
	VFMADD231PS (R10)(R14*1), Z12, Z1
	MOVQ        64(R8), R10
	VFMADD231PS (R10)(R14*1), Z13, Z0
	MOVQ        72(R8), R10
	VFMADD231PS (R10)(R14*1), Z14, Z1
	MOVQ        80(R8), R10
	VFMADD231PS (R10)(R14*1), Z15, Z0
	MOVQ        88(R8), R10
	VFMADD231PS (R10)(R14*1), Z16, Z1
	MOVQ        96(R8), R10
	VFMADD231PS (R10)(R14*1), Z17, Z0
	MOVQ        104(R8), R10
	VFMADD231PS (R10)(R14*1), Z18, Z1
	MOVQ        112(R8), R10
	VFMADD231PS (R10)(R14*1), Z19, Z0
	MOVQ        120(R8), R10
	VFMADD231PS (R10)(R14*1), Z20, Z1
	MOVQ        128(R8), R10
	VFMADD231PS (R10)(R14*1), Z21, Z0
	MOVQ        136(R8), R10
	VFMADD231PS (R10)(R14*1), Z22, Z1
	MOVQ        144(R8), R10
	VFMADD231PS (R10)(R14*1), Z23, Z0
	MOVQ        152(R8), R10
	VFMADD231PS (R10)(R14*1), Z24, Z1
	MOVQ        160(R8), R10
	VFMADD231PS (R10)(R14*1), Z25, Z0
	MOVQ        168(R8), R10
	VFMADD231PS (R10)(R14*1), Z26, Z1
	MOVQ        176(R8), R10
	VFMADD231PS (R10)(R14*1), Z27, Z0
	MOVQ        184(R8), R10
	VFMADD231PS (R10)(R14*1), Z28, Z1
	MOVQ        192(R8), R10
	VFMADD231PS (R10)(R14*1), Z29, Z0
	FINISH_WS
	VMOVUPS     Z0, (R15)
	ADDQ        step+24(FP), R14
	ADDQ        outStride+8(FP), R15
	DECQ        R11
	JNZ         pixel25

	ADDQ $1664, R12
	ADDQ $64, R13
	JMP  tile25

tail25:
	KORTESTW K1, K1
	JZ       done25
	VMOVUPS 0(R12), Z4
	VMOVUPS 64(R12), Z5
	VMOVUPS 128(R12), Z6
	VMOVUPS 192(R12), Z7
	VMOVUPS 256(R12), Z8
	VMOVUPS 320(R12), Z9
	VMOVUPS 384(R12), Z10
	VMOVUPS 448(R12), Z11
	VMOVUPS 512(R12), Z12
	VMOVUPS 576(R12), Z13
	VMOVUPS 640(R12), Z14
	VMOVUPS 704(R12), Z15
	VMOVUPS 768(R12), Z16
	VMOVUPS 832(R12), Z17
	VMOVUPS 896(R12), Z18
	VMOVUPS 960(R12), Z19
	VMOVUPS 1024(R12), Z20
	VMOVUPS 1088(R12), Z21
	VMOVUPS 1152(R12), Z22
	VMOVUPS 1216(R12), Z23
	VMOVUPS 1280(R12), Z24
	VMOVUPS 1344(R12), Z25
	VMOVUPS 1408(R12), Z26
	VMOVUPS 1472(R12), Z27
	VMOVUPS 1536(R12), Z28
	VMOVUPS 1600(R12), Z29
	MOVQ     R13, R14
	MOVQ     out+0(FP), R15
	ADDQ     R13, R15
	MOVQ     width+32(FP), R11

mpixel25:
	VMOVAPS     Z4, Z0
	MOVQ        0(R8), R10
	VFMADD231PS (R10)(R14*1), Z5, K1, Z0
	MOVQ        8(R8), R10
	VMULPS.Z    (R10)(R14*1), Z6, K1, Z1
	MOVQ        16(R8), R10
	VFMADD231PS (R10)(R14*1), Z7, K1, Z0
	MOVQ        24(R8), R10
	VFMADD231PS (R10)(R14*1), Z8, K1, Z1
	MOVQ        32(R8), R10
	VFMADD231PS (R10)(R14*1), Z9, K1, Z0
	MOVQ        40(R8), R10
	VFMADD231PS (R10)(R14*1), Z10, K1, Z1
	MOVQ        48(R8), R10
	VFMADD231PS (R10)(R14*1), Z11, K1, Z0
	MOVQ        56(R8), R10
	VFMADD231PS (R10)(R14*1), Z12, K1, Z1
	MOVQ        64(R8), R10
	VFMADD231PS (R10)(R14*1), Z13, K1, Z0
	MOVQ        72(R8), R10
	VFMADD231PS (R10)(R14*1), Z14, K1, Z1
	MOVQ        80(R8), R10
	VFMADD231PS (R10)(R14*1), Z15, K1, Z0
	MOVQ        88(R8), R10
	VFMADD231PS (R10)(R14*1), Z16, K1, Z1
	MOVQ        96(R8), R10
	VFMADD231PS (R10)(R14*1), Z17, K1, Z0
	MOVQ        104(R8), R10
	VFMADD231PS (R10)(R14*1), Z18, K1, Z1
	MOVQ        112(R8), R10
	VFMADD231PS (R10)(R14*1), Z19, K1, Z0
	MOVQ        120(R8), R10
	VFMADD231PS (R10)(R14*1), Z20, K1, Z1
	MOVQ        128(R8), R10
	VFMADD231PS (R10)(R14*1), Z21, K1, Z0
	MOVQ        136(R8), R10
	VFMADD231PS (R10)(R14*1), Z22, K1, Z1
	MOVQ        144(R8), R10
	VFMADD231PS (R10)(R14*1), Z23, K1, Z0
	MOVQ        152(R8), R10
	VFMADD231PS (R10)(R14*1), Z24, K1, Z1
	MOVQ        160(R8), R10
	VFMADD231PS (R10)(R14*1), Z25, K1, Z0
	MOVQ        168(R8), R10
	VFMADD231PS (R10)(R14*1), Z26, K1, Z1
	MOVQ        176(R8), R10
	VFMADD231PS (R10)(R14*1), Z27, K1, Z0
	MOVQ        184(R8), R10
	VFMADD231PS (R10)(R14*1), Z28, K1, Z1
	MOVQ        192(R8), R10
	VFMADD231PS (R10)(R14*1), Z29, K1, Z0
	FINISH_WS
	VMOVUPS     Z0, K1, (R15)
	ADDQ        step+24(FP), R14
	ADDQ        outStride+8(FP), R15
	DECQ        R11
	JNZ         mpixel25

done25:
	VZEROUPPER
	RET
