package gemm

import (
	"fmt"
	"os"

	"github.com/simdnet/simdnet/internal/isa"
)

// Kernel describes one micro-kernel and the block sizes the loops around it use.
// Packing follows MR and NR of whichever kernel runs, so a Kernel value is all
// the driver needs. Copy a Kernel and change MC, KC or NC to tune block sizes.
type Kernel struct {
	Name string // op, tile and ISA, e.g. "sgemm6x16AVX2"
	ISA  string // "generic", "avx2" or "avx512": the value SIMDNET_KERNEL takes

	MR, NR int // register tile: rows of A and columns of B per micro-kernel call

	MC int // rows of A packed per block (a multiple of MR); sized for L2
	KC int // depth of each packed block; deep, so that C tiles are revisited rarely
	NC int // columns of B packed per block (a multiple of NR); sized for L3

	// fn computes one MR×NR tile; see microKernel.
	fn microKernel
	// edge4, if set, computes a 4×NR tile from the same A and B layouts;
	// edge strips of at most 8 rows run it instead of a mostly idle fn.
	edge4 microKernel
	// acts are the activation flags (kernelActs) that fn and edge4 apply in
	// registers; the driver applies the others to the stored tile.
	acts uint
	// ragged says that fn and edge4 honour a column count in the flags
	// (colSkipShift): the driver then runs a tile narrower than NR in place
	// instead of through a workspace tile finished in Go.
	ragged bool
}

// microKernel computes the MR×NR product of an A strip and a B panel:
//
//	for i < MR, j < NR - flags>>colSkipShift:
//	    t := sum over p < k of a[i*aRS+p*aKS] * b[p*bStride+j]
//	    if flags&accumulate  != 0 { t += c[i*ldc+j] }
//	    if flags&addResidual != 0 { t += res[i*ldr+j] }
//	    if flags&addBias     != 0 { t += bias[j] }
//	    if flags&applyReLU   != 0 { t = max(t, 0) }
//	    if flags&applyClip   != 0 { t = min(max(t, act.Lo), act.Hi) }
//	    if flags&applyLeaky  != 0 && t < 0 { t *= act.Alpha }
//	    if flags&applyHardSwish|applySigmoid|applySiLU != 0 { t = that activation(t) }
//	    c[i*ldc+j] = t
//
// k is at least 1. a is either a packed strip (aRS == 1, aKS == MR) or MR
// rows of a row-major matrix read in place (aRS == lda, aKS == 1), which
// saves packing A when few B panels share it. b is either a packed panel
// (bStride == NR) or B itself read in place (bStride == ldb), which saves
// packing when A has few rows. The residual comes in with the first KC
// slice, so that a residual block's C needs no copy of it beforehand.
//
// bNext is where the driver reads B after this call (BLIS's b_next): the
// assembly kernels prefetch it into L2, one cache line every four k steps,
// so that the next panel, coming from L3 or memory, is in L2 by the time its
// first strip runs; the driver gives each strip of a block a different part
// of the next panel. Only the address is used (prefetches never fault); the
// portable kernel ignores it.
//
// act holds the bounds of the clip (ReLU6) and the slope of the LeakyReLU;
// it is read only when one of their flags is set. A kernel applies the
// activations of its Kernel.acts in registers, with the same operations as
// vec.Activate (so that the results, NaNs and signed zeros included, are
// the same bits); the driver applies the others to the stored tile
// (job.applyAct).
//
// flags>>colSkipShift is the number of last columns of the tile that lie
// outside C (0 for a full tile): C, the residual and the bias are then read
// and written for the first NR minus that many columns only. Only kernels
// with Kernel.ragged are given a nonzero count.
type microKernel func(k int, a []float32, aRS, aKS int, b []float32, bStride int, c []float32, ldc int, res []float32, ldr int, bias []float32, flags uint, bNext []float32, act *Activation)

// Micro-kernel flags.
const (
	accumulate     = 1 << iota // add the existing C tile instead of overwriting it
	addBias                    // add bias[j] to column j
	applyReLU                  // clamp the result at zero
	addResidual                // add res[i*ldr+j]
	applyClip                  // clamp to [act.Lo, act.Hi]
	applyLeaky                 // multiply negative values by act.Alpha
	applyHardSwish             // x·min(max(x+3, 0), 6)/6
	applySigmoid               // 1/(1+exp(-x))
	applySiLU                  // x·sigmoid(x)

	// kernelActs are the activation flags a micro-kernel may implement
	// (Kernel.acts says which it does).
	kernelActs = applyClip | applyLeaky | applyHardSwish | applySigmoid | applySiLU

	// colSkipShift places the count of columns past C's edge in the flags.
	colSkipShift = 32
)

// tileCols is the number of columns of an nr-wide tile that flags say lie
// inside C.
func tileCols(nr int, flags uint) int { return nr - int(flags>>colSkipShift) }

// actFlag is the micro-kernel flag of an activation kind beyond the ReLU.
func actFlag(k ActKind) uint {
	switch k {
	case ActClip:
		return applyClip
	case ActLeakyReLU:
		return applyLeaky
	case ActHardSwish:
		return applyHardSwish
	case ActSigmoid:
		return applySigmoid
	case ActSiLU:
		return applySiLU
	}
	return 0
}

// checkTile panics unless the slices of one micro-kernel call hold what the
// kernel reads and writes for an mr×nr tile k deep (see microKernel). The
// strides come from the driver, never from a caller, and are small, so the
// extents cannot overflow; it costs a few compares per tile.
func checkTile(name string, mr, nr, k int, a []float32, aRS, aKS int, b []float32, bStride int, c []float32, ldc int, res []float32, ldr int, bias []float32, flags uint, act *Activation) {
	cols := tileCols(nr, flags)
	ok := k >= 1 && aRS >= 1 && aKS >= 1 && bStride >= nr && cols >= 1 && cols <= nr && ldc >= cols &&
		len(a) > (mr-1)*aRS+(k-1)*aKS &&
		len(b) >= (k-1)*bStride+nr &&
		len(c) >= (mr-1)*ldc+cols &&
		(flags&addResidual == 0 || ldr >= cols && len(res) >= (mr-1)*ldr+cols) &&
		(flags&addBias == 0 || len(bias) >= cols) &&
		(flags&(applyClip|applyLeaky) == 0 || act != nil)
	if !ok {
		panic(fmt.Sprintf("gemm: %s: slices too short for a %d×%d tile %d deep (len a %d, aRS %d, aKS %d; len b %d, stride %d; len c %d, ldc %d; len res %d, ldr %d; len bias %d; flags %04b)",
			name, mr, nr, k, len(a), aRS, aKS, len(b), bStride, len(c), ldc, len(res), ldr, len(bias), flags&(1<<colSkipShift-1)))
	}
}

func (k *Kernel) String() string {
	return fmt.Sprintf("%s (%s, %dx%d, MC=%d KC=%d NC=%d)", k.Name, k.ISA, k.MR, k.NR, k.MC, k.KC, k.NC)
}

// validate panics if block sizes cannot drive the kernel.
func (k *Kernel) validate() {
	if k == nil || k.fn == nil {
		panic("gemm: kernel has no micro-kernel; use a value from Kernels or Selected")
	}
	if k.MC < k.MR || k.MC%k.MR != 0 {
		panic(fmt.Sprintf("gemm: kernel %s: MC=%d is not a positive multiple of MR=%d", k.Name, k.MC, k.MR))
	}
	if k.NC < k.NR || k.NC%k.NR != 0 {
		panic(fmt.Sprintf("gemm: kernel %s: NC=%d is not a positive multiple of NR=%d", k.Name, k.NC, k.NR))
	}
	if k.KC < 1 {
		panic(fmt.Sprintf("gemm: kernel %s: KC=%d must be positive", k.Name, k.KC))
	}
}

// available lists the kernels this CPU and build can run, best last: the
// portable one, then the assembly ones the CPU supports (kernel_amd64.go).
var available = append([]Kernel{genericKernel()}, archKernels()...)

// selected is the kernel used when a call names none.
var selected = pickKernel(os.Getenv("SIMDNET_KERNEL"))

// Kernels returns copies of every kernel this CPU and build can run, the
// portable one first and the fastest last.
func Kernels() []Kernel {
	out := make([]Kernel, len(available))
	copy(out, available)
	return out
}

// Selected returns a copy of the kernel used by calls that name none: the
// fastest one available, or the one SIMDNET_KERNEL asks for.
func Selected() Kernel { return *selected }

// KernelByISA returns the kernel for isa ("generic", "avx2", "avx512") if this
// CPU and build can run it.
func KernelByISA(isaName string) (Kernel, bool) {
	if k := isa.Find(available, kernelISA, isaName); k != nil {
		return *k, true
	}
	return Kernel{}, false
}

func pickKernel(want string) *Kernel { return isa.Pick(available, kernelISA, want, "SIMDNET_KERNEL") }

func kernelISA(k *Kernel) string { return k.ISA }
