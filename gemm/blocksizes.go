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
// in the spirit of BLIS's analytical model, with the constants fitted to
// measurements (simdnet bench gemm --sweep on a Cascade Lake, 32 KiB L1d,
// 1 MiB L2): a KC×NR panel of B of about 1.5× L1 (KC = 384 for both
// assembly kernels; deeper slices amortise the C tile's load and store, and
// the panel is streamed from L2 as much as reused from L1), an MC×KC block
// of A of about 3/8 of L2 (MC ≈ 250), and a KC×NC block of B a share of L3.
// KC = 128 and MC ≈ 1000, the plain half-L1/half-L2 model, measured 20-30%
// slower on square and ResNet shapes. Environment variables SIMDNET_GEMM_MC,
// _KC and _NC override the result for tuning.
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
	kc = l1 * 3 / 2 / (nr * 4)
	kc = max(64, min(384, kc&^7))
	mc = l2 * 3 / 8 / (kc * 4)
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
