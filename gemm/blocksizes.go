package gemm

import (
	"os"
	"strconv"

	"github.com/klauspost/cpuid/v2"
)

// Cache sizes assumed when cpuid cannot tell (typical of current x86 cores).
const (
	defaultL2 = 1 << 20
	defaultL3 = 8 << 20
)

// blockSizes derives MC, KC and NC for an MR×NR kernel from the cache sizes,
// in the spirit of BLIS's analytical model, with the constants fitted to
// measurements on a Cascade Lake (32 KiB L1d, 1 MiB L2) by alternating
// rounds of simdnet bench gemm (and simdnet bench gemm --sweep):
//   - KC deep, about L2/1500 (704 for 1 MiB): every KC slice loads and stores
//     each C tile once more and pays a micro-kernel call per tile, while the
//     KC×NR panel of B is streamed from L2 at any depth that matters (the
//     12×32 kernel's panel is 48 KiB at KC = 384, already past L1). Against
//     KC = 384 (MC = 252), KC = 704 (MC = 132) measured, in alternating
//     rounds, batch-32 ResNet50 inference at 185 → 189 img/s on one thread
//     and 346 → 362 on two, and 1-5% more on most square and batch-32
//     products, on both assembly kernels; the 16×256×2304 product with B
//     read in place lost 3%.
//   - MC so that an MC×KC block of A takes about 3/8 of L2.
//   - NC so that a KC×NC block of B takes a quarter of L3.
//
// Environment variables SIMDNET_GEMM_MC, _KC and _NC override the result for
// tuning.
func blockSizes(mr, nr int) (mc, kc, nc int) {
	l2, l3 := defaultL2, defaultL3
	if c := cpuid.CPU.Cache; c.L2 > 0 {
		l2 = c.L2
		if c.L3 > 0 {
			l3 = c.L3
		}
	}
	kc = l2 * 11 / 16384
	kc = max(128, min(1024, kc&^7))
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
