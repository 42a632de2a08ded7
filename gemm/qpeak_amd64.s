//go:build amd64 && gc && !purego

#include "textflag.h"

// func vnniPeakLoop(n int)
//
// n iterations of twelve independent 512-bit VPDPBUSDs (768 multiply-adds
// an iteration): enough chains to cover the instruction's latency, nothing
// else in the loop, so the time per iteration is the throughput limit.
//
// Requires: AVX512F, AVX512_VNNI
TEXT ·vnniPeakLoop(SB), NOSPLIT, $0-8
	MOVQ   n+0(FP), CX
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z20, Z20, Z20
	VPXORD Z21, Z21, Z21
	VPXORD Z22, Z22, Z22
	VPXORD Z23, Z23, Z23
	VPXORD Z24, Z24, Z24
	VPXORD Z25, Z25, Z25
	VPXORD Z26, Z26, Z26
	VPXORD Z27, Z27, Z27
	VPXORD Z28, Z28, Z28
	VPXORD Z29, Z29, Z29
	VPXORD Z30, Z30, Z30
	VPXORD Z31, Z31, Z31

loop:
	VPDPBUSD Z0, Z1, Z20
	VPDPBUSD Z0, Z1, Z21
	VPDPBUSD Z0, Z1, Z22
	VPDPBUSD Z0, Z1, Z23
	VPDPBUSD Z0, Z1, Z24
	VPDPBUSD Z0, Z1, Z25
	VPDPBUSD Z0, Z1, Z26
	VPDPBUSD Z0, Z1, Z27
	VPDPBUSD Z0, Z1, Z28
	VPDPBUSD Z0, Z1, Z29
	VPDPBUSD Z0, Z1, Z30
	VPDPBUSD Z0, Z1, Z31
	DECQ     CX
	JNZ      loop
	VZEROUPPER
	RET
