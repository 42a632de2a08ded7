//go:build amd64 && gc && !purego

#include "textflag.h"

// Every routine walks a row with AX, the element index: a loop of 8-wide
// vectors while 8 elements remain, then a scalar tail with the same
// operations on single floats, so results are the same for any length.
// Multiplies and adds are separate instructions (no FMA) in the twin's order,
// which makes them bit-identical to the pure-Go twins in twin.go.
// Y15 is zero where a routine needs it. A ReLU mask element is tested by its
// bits: VPCMPEQD against zero gives all ones where the mask is 0, and
// VANDNPS clears the gradient there.

// accDiffAVX2 is, with m, ref of c floats and x of rows·c:
//
//	for p := 0; p < rows*c; p += c {
//		for i := range c { m[i] += x[p+i] - ref[i] }
//	}
//
// func accDiffAVX2(m, x, ref *float32, c, rows int)
// Requires: AVX
TEXT ·accDiffAVX2(SB), NOSPLIT, $0-40
	MOVQ m+0(FP), DI    // DI: m
	MOVQ x+8(FP), SI    // SI: the current row of x
	MOVQ ref+16(FP), DX // DX: ref
	MOVQ c+24(FP), CX   // CX: row length
	MOVQ rows+32(FP), R8 // R8: rows left
	TESTQ R8, R8
	JZ   ad_done

ad_row:
	XORQ AX, AX

ad_vec:
	LEAQ 8(AX), BX
	CMPQ BX, CX
	JGT  ad_tail
	VMOVUPS (SI)(AX*4), Y0
	VSUBPS  (DX)(AX*4), Y0, Y0
	VADDPS  (DI)(AX*4), Y0, Y0
	VMOVUPS Y0, (DI)(AX*4)
	MOVQ    BX, AX
	JMP     ad_vec

ad_tail:
	CMPQ AX, CX
	JGE  ad_next
	VMOVSS (SI)(AX*4), X0
	VSUBSS (DX)(AX*4), X0, X0
	VADDSS (DI)(AX*4), X0, X0
	VMOVSS X0, (DI)(AX*4)
	INCQ   AX
	JMP    ad_tail

ad_next:
	LEAQ (SI)(CX*4), SI
	DECQ R8
	JNZ  ad_row

ad_done:
	VZEROUPPER
	RET

// accSqDevAVX2 is, with m2, ref, mu of c floats and x of rows·c:
//
//	for p := 0; p < rows*c; p += c {
//		for i := range c { d := x[p+i] - ref[i] - mu[i]; m2[i] += d * d }
//	}
//
// func accSqDevAVX2(m2, x, ref, mu *float32, c, rows int)
// Requires: AVX
TEXT ·accSqDevAVX2(SB), NOSPLIT, $0-48
	MOVQ m2+0(FP), DI    // DI: m2
	MOVQ x+8(FP), SI     // SI: the current row of x
	MOVQ ref+16(FP), DX  // DX: ref
	MOVQ mu+24(FP), R9   // R9: mu
	MOVQ c+32(FP), CX    // CX: row length
	MOVQ rows+40(FP), R8 // R8: rows left
	TESTQ R8, R8
	JZ   sd_done

sd_row:
	XORQ AX, AX

sd_vec:
	LEAQ 8(AX), BX
	CMPQ BX, CX
	JGT  sd_tail
	VMOVUPS (SI)(AX*4), Y0
	VSUBPS  (DX)(AX*4), Y0, Y0
	VSUBPS  (R9)(AX*4), Y0, Y0
	VMULPS  Y0, Y0, Y0
	VADDPS  (DI)(AX*4), Y0, Y0
	VMOVUPS Y0, (DI)(AX*4)
	MOVQ    BX, AX
	JMP     sd_vec

sd_tail:
	CMPQ AX, CX
	JGE  sd_next
	VMOVSS (SI)(AX*4), X0
	VSUBSS (DX)(AX*4), X0, X0
	VSUBSS (R9)(AX*4), X0, X0
	VMULSS X0, X0, X0
	VADDSS (DI)(AX*4), X0, X0
	VMOVSS X0, (DI)(AX*4)
	INCQ   AX
	JMP    sd_tail

sd_next:
	LEAQ (SI)(CX*4), SI
	DECQ R8
	JNZ  sd_row

sd_done:
	VZEROUPPER
	RET

// accGradAVX2 is, with s1, s2, mu of c floats and g, x, mask of rows·c
// (mask may be nil):
//
//	for p := 0; p < rows*c; p += c {
//		for i := range c {
//			v := g[p+i]; if mask != nil && mask[p+i] == 0 { v = 0 }
//			s1[i] += v; s2[i] += v * (x[p+i] - mu[i])
//		}
//	}
//
// func accGradAVX2(s1, s2, grad, x, mu, mask *float32, c, rows int)
// Requires: AVX, AVX2
TEXT ·accGradAVX2(SB), NOSPLIT, $0-64
	MOVQ s1+0(FP), DI    // DI: s1
	MOVQ s2+8(FP), SI    // SI: s2
	MOVQ grad+16(FP), R10   // R10: the current row of g
	MOVQ x+24(FP), R12   // R12: the current row of x
	MOVQ mu+32(FP), R13  // R13: mu
	MOVQ mask+40(FP), R11 // R11: the current row of mask, or nil
	MOVQ c+48(FP), CX    // CX: row length
	MOVQ rows+56(FP), R8 // R8: rows left
	VXORPS Y15, Y15, Y15
	TESTQ R8, R8
	JZ   ag_done

ag_row:
	XORQ AX, AX

ag_vec:
	LEAQ 8(AX), BX
	CMPQ BX, CX
	JGT  ag_tail
	VMOVUPS (R10)(AX*4), Y0 // Y0: v
	TESTQ   R11, R11
	JZ      ag_vnomask
	VMOVUPS  (R11)(AX*4), Y3
	VPCMPEQD Y15, Y3, Y3
	VANDNPS  Y0, Y3, Y0

ag_vnomask:
	VADDPS  (DI)(AX*4), Y0, Y1
	VMOVUPS Y1, (DI)(AX*4)
	VMOVUPS (R12)(AX*4), Y2
	VSUBPS  (R13)(AX*4), Y2, Y2
	VMULPS  Y2, Y0, Y2
	VADDPS  (SI)(AX*4), Y2, Y2
	VMOVUPS Y2, (SI)(AX*4)
	MOVQ    BX, AX
	JMP     ag_vec

ag_tail:
	CMPQ AX, CX
	JGE  ag_next
	VMOVSS (R10)(AX*4), X0
	TESTQ  R11, R11
	JZ     ag_snomask
	VMOVSS   (R11)(AX*4), X3
	VPCMPEQD X15, X3, X3
	VANDNPS  X0, X3, X0

ag_snomask:
	VADDSS (DI)(AX*4), X0, X1
	VMOVSS X1, (DI)(AX*4)
	VMOVSS (R12)(AX*4), X2
	VSUBSS (R13)(AX*4), X2, X2
	VMULSS X2, X0, X2
	VADDSS (SI)(AX*4), X2, X2
	VMOVSS X2, (SI)(AX*4)
	INCQ   AX
	JMP    ag_tail

ag_next:
	LEAQ  (R10)(CX*4), R10
	LEAQ  (R12)(CX*4), R12
	TESTQ R11, R11
	JZ    ag_adv
	LEAQ  (R11)(CX*4), R11

ag_adv:
	DECQ R8
	JNZ  ag_row

ag_done:
	VZEROUPPER
	RET

// affineAVX2 is, with scale, shift of c floats and dst, x of rows·c:
//
//	for p := 0; p < rows*c; p += c {
//		for i := range c {
//			y := x[p+i]*scale[i] + shift[i]
//			if relu != 0 { y = max(y, 0) }
//			dst[p+i] = y
//		}
//	}
//
// max(y, 0) is VMAXPS with zero as the first source (NaN y passes, as in
// Go) followed by adding +0 (which turns -0 into +0, as Go's max does).
//
// func affineAVX2(dst, x, scale, shift *float32, c, rows, relu int)
// Requires: AVX
TEXT ·affineAVX2(SB), NOSPLIT, $0-56
	MOVQ dst+0(FP), DI    // DI: the current row of dst
	MOVQ x+8(FP), SI      // SI: the current row of x
	MOVQ scale+16(FP), DX // DX: scale
	MOVQ shift+24(FP), R9 // R9: shift
	MOVQ c+32(FP), CX     // CX: row length
	MOVQ rows+40(FP), R8  // R8: rows left
	MOVQ relu+48(FP), R10 // R10: relu flag
	VXORPS Y15, Y15, Y15
	TESTQ R8, R8
	JZ   af_done

af_row:
	XORQ AX, AX

af_vec:
	LEAQ 8(AX), BX
	CMPQ BX, CX
	JGT  af_tail
	VMOVUPS (SI)(AX*4), Y0
	VMULPS  (DX)(AX*4), Y0, Y0
	VADDPS  (R9)(AX*4), Y0, Y0
	TESTQ   R10, R10
	JZ      af_vstore
	VMAXPS  Y0, Y15, Y0
	VADDPS  Y15, Y0, Y0

af_vstore:
	VMOVUPS Y0, (DI)(AX*4)
	MOVQ    BX, AX
	JMP     af_vec

af_tail:
	CMPQ AX, CX
	JGE  af_next
	VMOVSS (SI)(AX*4), X0
	VMULSS (DX)(AX*4), X0, X0
	VADDSS (R9)(AX*4), X0, X0
	TESTQ  R10, R10
	JZ     af_sstore
	VMAXSS X0, X15, X0
	VADDSS X15, X0, X0

af_sstore:
	VMOVSS X0, (DI)(AX*4)
	INCQ   AX
	JMP    af_tail

af_next:
	LEAQ (SI)(CX*4), SI
	LEAQ (DI)(CX*4), DI
	DECQ R8
	JNZ  af_row

af_done:
	VZEROUPPER
	RET

// inputGradAVX2 is, with a, b, k of c floats and dx, g, x, mask of rows·c
// (mask may be nil):
//
//	for p := 0; p < rows*c; p += c {
//		for i := range c {
//			v := g[p+i]; if mask != nil && mask[p+i] == 0 { v = 0 }
//			e := a[i]*v + b[i]*x[p+i] + k[i]
//			if accum != 0 { e = dx[p+i] + e }
//			dx[p+i] = e
//		}
//	}
//
// func inputGradAVX2(dx, grad, x, mask, a, b, k *float32, c, rows, accum int)
// Requires: AVX, AVX2
TEXT ·inputGradAVX2(SB), NOSPLIT, $0-80
	MOVQ dx+0(FP), DI     // DI: the current row of dx
	MOVQ grad+8(FP), SI      // SI: the current row of g
	MOVQ x+16(FP), DX     // DX: the current row of x
	MOVQ mask+24(FP), R11 // R11: the current row of mask, or nil
	MOVQ a+32(FP), R8     // R8: a
	MOVQ b+40(FP), R9     // R9: b
	MOVQ k+48(FP), R10    // R10: k
	MOVQ c+56(FP), CX     // CX: row length
	MOVQ rows+64(FP), R12 // R12: rows left
	MOVQ accum+72(FP), R13 // R13: accum flag
	VXORPS Y15, Y15, Y15
	TESTQ R12, R12
	JZ   ig_done

ig_row:
	XORQ AX, AX

ig_vec:
	LEAQ 8(AX), BX
	CMPQ BX, CX
	JGT  ig_tail
	VMOVUPS (SI)(AX*4), Y0 // Y0: v
	TESTQ   R11, R11
	JZ      ig_vnomask
	VMOVUPS  (R11)(AX*4), Y3
	VPCMPEQD Y15, Y3, Y3
	VANDNPS  Y0, Y3, Y0

ig_vnomask:
	VMULPS  (R8)(AX*4), Y0, Y0
	VMOVUPS (DX)(AX*4), Y1
	VMULPS  (R9)(AX*4), Y1, Y1
	VADDPS  Y1, Y0, Y0
	VADDPS  (R10)(AX*4), Y0, Y0
	TESTQ   R13, R13
	JZ      ig_vstore
	VADDPS  (DI)(AX*4), Y0, Y0

ig_vstore:
	VMOVUPS Y0, (DI)(AX*4)
	MOVQ    BX, AX
	JMP     ig_vec

ig_tail:
	CMPQ AX, CX
	JGE  ig_next
	VMOVSS (SI)(AX*4), X0
	TESTQ  R11, R11
	JZ     ig_snomask
	VMOVSS   (R11)(AX*4), X3
	VPCMPEQD X15, X3, X3
	VANDNPS  X0, X3, X0

ig_snomask:
	VMULSS (R8)(AX*4), X0, X0
	VMOVSS (DX)(AX*4), X1
	VMULSS (R9)(AX*4), X1, X1
	VADDSS X1, X0, X0
	VADDSS (R10)(AX*4), X0, X0
	TESTQ  R13, R13
	JZ     ig_sstore
	VADDSS (DI)(AX*4), X0, X0

ig_sstore:
	VMOVSS X0, (DI)(AX*4)
	INCQ   AX
	JMP    ig_tail

ig_next:
	LEAQ  (DI)(CX*4), DI
	LEAQ  (SI)(CX*4), SI
	LEAQ  (DX)(CX*4), DX
	TESTQ R11, R11
	JZ    ig_adv
	LEAQ  (R11)(CX*4), R11

ig_adv:
	DECQ R12
	JNZ  ig_row

ig_done:
	VZEROUPPER
	RET

// maskedAVX2 is, over n elements (mask may be nil):
//
//	for i := range n {
//		v := g[i]; if mask != nil && mask[i] == 0 { v = 0 }
//		if accum != 0 { v = dst[i] + v }
//		dst[i] = v
//	}
//
// func maskedAVX2(dst, grad, mask *float32, n, accum int)
// Requires: AVX, AVX2
TEXT ·maskedAVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI    // DI: dst
	MOVQ grad+8(FP), SI      // SI: g
	MOVQ mask+16(FP), R11 // R11: mask, or nil
	MOVQ n+24(FP), CX     // CX: length
	MOVQ accum+32(FP), R13 // R13: accum flag
	VXORPS Y15, Y15, Y15
	XORQ AX, AX

mk_vec:
	LEAQ 8(AX), BX
	CMPQ BX, CX
	JGT  mk_tail
	VMOVUPS (SI)(AX*4), Y0
	TESTQ   R11, R11
	JZ      mk_vnomask
	VMOVUPS  (R11)(AX*4), Y3
	VPCMPEQD Y15, Y3, Y3
	VANDNPS  Y0, Y3, Y0

mk_vnomask:
	TESTQ  R13, R13
	JZ     mk_vstore
	VADDPS (DI)(AX*4), Y0, Y0

mk_vstore:
	VMOVUPS Y0, (DI)(AX*4)
	MOVQ    BX, AX
	JMP     mk_vec

mk_tail:
	CMPQ AX, CX
	JGE  mk_done
	VMOVSS (SI)(AX*4), X0
	TESTQ  R11, R11
	JZ     mk_snomask
	VMOVSS   (R11)(AX*4), X3
	VPCMPEQD X15, X3, X3
	VANDNPS  X0, X3, X0

mk_snomask:
	TESTQ  R13, R13
	JZ     mk_sstore
	VADDSS (DI)(AX*4), X0, X0

mk_sstore:
	VMOVSS X0, (DI)(AX*4)
	INCQ   AX
	JMP    mk_tail

mk_done:
	VZEROUPPER
	RET

// adamAVX2 is, over n elements, with k's constants broadcast:
//
//	for j := range n {
//		x := g[j]; if decay != 0 { x += WD * w[j] }
//		mj := B1*m[j] + C1*x; vj := B2*v[j] + C2*x*x
//		m[j], v[j] = mj, vj
//		w[j] -= LR * mj / (sqrt(vj) + Eps)
//	}
//
// VSQRTPS is the correctly rounded float32 square root, which is what
// float32(math.Sqrt(float64(vj))) gives.
//
// func adamAVX2(w, grad, m, v *float32, n int, k *AdamConsts, decay int)
// Requires: AVX
TEXT ·adamAVX2(SB), NOSPLIT, $0-56
	MOVQ w+0(FP), DI      // DI: w
	MOVQ grad+8(FP), SI      // SI: g
	MOVQ m+16(FP), DX     // DX: m
	MOVQ v+24(FP), R10    // R10: v
	MOVQ n+32(FP), CX     // CX: length
	MOVQ k+40(FP), R8     // R8: the constants
	MOVQ decay+48(FP), R9 // R9: decay flag
	VBROADCASTSS 0(R8), Y8   // Y8: B1
	VBROADCASTSS 4(R8), Y9   // Y9: C1
	VBROADCASTSS 8(R8), Y10  // Y10: B2
	VBROADCASTSS 12(R8), Y11 // Y11: C2
	VBROADCASTSS 16(R8), Y12 // Y12: LR
	VBROADCASTSS 20(R8), Y13 // Y13: Eps
	VBROADCASTSS 24(R8), Y14 // Y14: WD
	XORQ AX, AX

am_vec:
	LEAQ 8(AX), BX
	CMPQ BX, CX
	JGT  am_tail
	VMOVUPS (SI)(AX*4), Y0 // Y0: x
	TESTQ   R9, R9
	JZ      am_vnodecay
	VMULPS  (DI)(AX*4), Y14, Y1
	VADDPS  Y1, Y0, Y0

am_vnodecay:
	VMULPS  (DX)(AX*4), Y8, Y1 // Y1: mj
	VMULPS  Y0, Y9, Y2
	VADDPS  Y2, Y1, Y1
	VMOVUPS Y1, (DX)(AX*4)
	VMULPS  (R10)(AX*4), Y10, Y2 // Y2: vj
	VMULPS  Y0, Y11, Y3
	VMULPS  Y0, Y3, Y3
	VADDPS  Y3, Y2, Y2
	VMOVUPS Y2, (R10)(AX*4)
	VSQRTPS Y2, Y2
	VADDPS  Y13, Y2, Y2
	VMULPS  Y1, Y12, Y1
	VDIVPS  Y2, Y1, Y1
	VMOVUPS (DI)(AX*4), Y3
	VSUBPS  Y1, Y3, Y3
	VMOVUPS Y3, (DI)(AX*4)
	MOVQ    BX, AX
	JMP     am_vec

am_tail:
	CMPQ AX, CX
	JGE  am_done
	VMOVSS (SI)(AX*4), X0
	TESTQ  R9, R9
	JZ     am_snodecay
	VMULSS (DI)(AX*4), X14, X1
	VADDSS X1, X0, X0

am_snodecay:
	VMULSS  (DX)(AX*4), X8, X1
	VMULSS  X0, X9, X2
	VADDSS  X2, X1, X1
	VMOVSS  X1, (DX)(AX*4)
	VMULSS  (R10)(AX*4), X10, X2
	VMULSS  X0, X11, X3
	VMULSS  X0, X3, X3
	VADDSS  X3, X2, X2
	VMOVSS  X2, (R10)(AX*4)
	VSQRTSS X2, X2, X2
	VADDSS  X13, X2, X2
	VMULSS  X1, X12, X1
	VDIVSS  X2, X1, X1
	VMOVSS  (DI)(AX*4), X3
	VSUBSS  X1, X3, X3
	VMOVSS  X3, (DI)(AX*4)
	INCQ    AX
	JMP     am_tail

am_done:
	VZEROUPPER
	RET

// affinePairReLUAVX2 is, with sa, ha, sb, hb of c floats and dst, xa, xb of
// rows·c:
//
//	for p := 0; p < rows*c; p += c {
//		for i := range c {
//			dst[p+i] = max(xa[p+i]*sa[i] + ha[i] + (xb[p+i]*sb[i] + hb[i]), 0)
//		}
//	}
//
// with max as in affineAVX2.
//
// func affinePairReLUAVX2(dst, xa, sa, ha, xb, sb, hb *float32, c, rows int)
// Requires: AVX
TEXT ·affinePairReLUAVX2(SB), NOSPLIT, $0-72
	MOVQ dst+0(FP), DI    // DI: the current row of dst
	MOVQ xa+8(FP), SI     // SI: the current row of xa
	MOVQ sa+16(FP), R8    // R8: sa
	MOVQ ha+24(FP), R9    // R9: ha
	MOVQ xb+32(FP), DX    // DX: the current row of xb
	MOVQ sb+40(FP), R10   // R10: sb
	MOVQ hb+48(FP), R11   // R11: hb
	MOVQ c+56(FP), CX     // CX: row length
	MOVQ rows+64(FP), R12 // R12: rows left
	VXORPS Y15, Y15, Y15
	TESTQ R12, R12
	JZ   ap_done

ap_row:
	XORQ AX, AX

ap_vec:
	LEAQ 8(AX), BX
	CMPQ BX, CX
	JGT  ap_tail
	VMOVUPS (SI)(AX*4), Y0
	VMULPS  (R8)(AX*4), Y0, Y0
	VADDPS  (R9)(AX*4), Y0, Y0
	VMOVUPS (DX)(AX*4), Y1
	VMULPS  (R10)(AX*4), Y1, Y1
	VADDPS  (R11)(AX*4), Y1, Y1
	VADDPS  Y1, Y0, Y0
	VMAXPS  Y0, Y15, Y0
	VADDPS  Y15, Y0, Y0
	VMOVUPS Y0, (DI)(AX*4)
	MOVQ    BX, AX
	JMP     ap_vec

ap_tail:
	CMPQ AX, CX
	JGE  ap_next
	VMOVSS (SI)(AX*4), X0
	VMULSS (R8)(AX*4), X0, X0
	VADDSS (R9)(AX*4), X0, X0
	VMOVSS (DX)(AX*4), X1
	VMULSS (R10)(AX*4), X1, X1
	VADDSS (R11)(AX*4), X1, X1
	VADDSS X1, X0, X0
	VMAXSS X0, X15, X0
	VADDSS X15, X0, X0
	VMOVSS X0, (DI)(AX*4)
	INCQ   AX
	JMP    ap_tail

ap_next:
	LEAQ (DI)(CX*4), DI
	LEAQ (SI)(CX*4), SI
	LEAQ (DX)(CX*4), DX
	DECQ R12
	JNZ  ap_row

ap_done:
	VZEROUPPER
	RET

// WINDOW_REDUCE reduces a pooling window with OPPS (8 lanes) and OPSS (one
// lane), each lane starting from the value in Y15/X15 and taking the cells
// in row order. The caller has loaded the arguments into the registers
// below.
//   DI: dst   SI: the window's first cell   CX: channels
//   R8: cells per window row   R9: window rows
//   R10: window row stride in bytes   R11: cell stride in bytes
//   AX: first channel of the current chunk   DX: its first cell
//   R13, R14: cell pointer and cells left in a row   R12: rows left
//   Y0-Y3: the accumulators of 32 channels
#define WINDOW_REDUCE(OPPS, OPSS) \
	SHLQ $2, R10               \
	MOVQ CX, R11               \
	SHLQ $2, R11               \
	XORQ AX, AX                \
vec32:                         \
	LEAQ    32(AX), BX         \
	CMPQ    BX, CX             \
	JGT     vec8               \
	LEAQ    (SI)(AX*4), DX     \
	VMOVAPS Y15, Y0            \
	VMOVAPS Y15, Y1            \
	VMOVAPS Y15, Y2            \
	VMOVAPS Y15, Y3            \
	MOVQ    R9, R12            \
row32:                         \
	MOVQ DX, R13               \
	MOVQ R8, R14               \
col32:                         \
	OPPS (R13), Y0, Y0         \
	OPPS 32(R13), Y1, Y1       \
	OPPS 64(R13), Y2, Y2       \
	OPPS 96(R13), Y3, Y3       \
	ADDQ R11, R13              \
	DECQ R14                   \
	JNZ  col32                 \
	ADDQ R10, DX               \
	DECQ R12                   \
	JNZ  row32                 \
	VMOVUPS Y0, (DI)(AX*4)     \
	VMOVUPS Y1, 32(DI)(AX*4)   \
	VMOVUPS Y2, 64(DI)(AX*4)   \
	VMOVUPS Y3, 96(DI)(AX*4)   \
	MOVQ    BX, AX             \
	JMP     vec32              \
vec8:                          \
	LEAQ    8(AX), BX          \
	CMPQ    BX, CX             \
	JGT     tail               \
	LEAQ    (SI)(AX*4), DX     \
	VMOVAPS Y15, Y0            \
	MOVQ    R9, R12            \
row8:                          \
	MOVQ DX, R13               \
	MOVQ R8, R14               \
col8:                          \
	OPPS (R13), Y0, Y0         \
	ADDQ R11, R13              \
	DECQ R14                   \
	JNZ  col8                  \
	ADDQ R10, DX               \
	DECQ R12                   \
	JNZ  row8                  \
	VMOVUPS Y0, (DI)(AX*4)     \
	MOVQ    BX, AX             \
	JMP     vec8               \
tail:                          \
	CMPQ    AX, CX             \
	JGE     done               \
	LEAQ    (SI)(AX*4), DX     \
	VMOVAPS X15, X0            \
	MOVQ    R9, R12            \
row1:                          \
	MOVQ DX, R13               \
	MOVQ R8, R14               \
col1:                          \
	OPSS (R13), X0, X0         \
	ADDQ R11, R13              \
	DECQ R14                   \
	JNZ  col1                  \
	ADDQ R10, DX               \
	DECQ R12                   \
	JNZ  row1                  \
	VMOVSS X0, (DI)(AX*4)      \
	INCQ   AX                  \
	JMP    tail                \
done:                          \
	VZEROUPPER                 \
	RET

// windowMaxAVX2 is windowMaxGo: the maximum over a pooling window of
// rows×cols cells, each a vector of c channels; cells in a row are c
// floats apart, rows rowStride floats apart. Starting each lane from -Inf
// and taking every cell with MAXPS gives the twin's result to the bit: the
// first cell's value, NaN included, replaces -Inf.
//
//	for i := range c {
//		acc := src[i]
//		for r := range rows { for j := range cols {
//			v := src[r*rowStride+j*c+i]; if !(acc > v) { acc = v }
//		} }
//		dst[i] = acc
//	}
//
// func windowMaxAVX2(dst, src *float32, c, cols, rows, rowStride int)
// Requires: AVX, AVX2
TEXT ·windowMaxAVX2(SB), NOSPLIT, $0-48
	MOVL         $0xff800000, BX // -Inf
	MOVL         BX, X15
	VBROADCASTSS X15, Y15
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ c+16(FP), CX
	MOVQ cols+24(FP), R8
	MOVQ rows+32(FP), R9
	MOVQ rowStride+40(FP), R10
	WINDOW_REDUCE(VMAXPS, VMAXSS)

// windowSumAVX2 is windowSumGo: the sum over a pooling window laid out as
// for windowMaxAVX2, cell by cell in row order.
//
//	for i := range c {
//		var acc float32
//		for r := range rows { for j := range cols { acc += src[r*rowStride+j*c+i] } }
//		dst[i] = acc
//	}
//
// func windowSumAVX2(dst, src *float32, c, cols, rows, rowStride int)
// Requires: AVX, AVX2
TEXT ·windowSumAVX2(SB), NOSPLIT, $0-48
	VXORPS Y15, Y15, Y15
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ c+16(FP), CX
	MOVQ cols+24(FP), R8
	MOVQ rows+32(FP), R9
	MOVQ rowStride+40(FP), R10
	WINDOW_REDUCE(VADDPS, VADDSS)
