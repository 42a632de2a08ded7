package gemm

import (
	"os"
	"strconv"

	"github.com/klauspost/cpuid/v2"
)

// Cache sizes assumed when cpuid cannot tell (typical of current x86 cores).
const (
	defaultL1D = 32 << 10
	defaultL2  = 1 << 20
	defaultL3  = 8 << 20
)

// blockSizes derives MC, KC and NC for an MR×NR kernel from the cache sizes,
// the way BLIS's analytical model does: a KC×NR panel of B fills about half
// of L1 (the rest holds the A strip and the C tile), an MC×KC block of A
// about half of L2, and a KC×NC block of B a share of L3. Environment
// variables SIMDNET_GEMM_MC, _KC and _NC override the result for tuning.
func blockSizes(mr, nr int) (mc, kc, nc int) {
	l1, l2, l3 := defaultL1D, defaultL2, defaultL3
	if c := cpuid.CPU.Cache; c.L1D > 0 {
		l1 = c.L1D
		if c.L2 > 0 {
			l2 = c.L2
		}
		if c.L3 > 0 {
			l3 = c.L3
		}
	}
	kc = l1 / 2 / (nr * 4)
	kc = max(64, min(512, kc&^7))
	mc = l2 / 2 / (kc * 4)
	mc = max(mr, mc/mr*mr)
	// L3 is shared between cores; take a quarter of it, and never less than
	// the matrices this library meets in practice.
	nc = l3 / 4 / (kc * 4)
	nc = max(nr, min(8192, nc/nr*nr))

	mc = envBlock("SIMDNET_GEMM_MC", mc, mr)
	kc = envBlock("SIMDNET_GEMM_KC", kc, 1)
	nc = envBlock("SIMDNET_GEMM_NC", nc, nr)
	return mc, kc, nc
}

// envBlock reads a block size override, rounding it to a multiple of unit.
func envBlock(name string, def, unit int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < unit {
		return def
	}
	return v / unit * unit
}
