package gemm

import (
	"fmt"
	"os"

	"github.com/simdnet/simdnet/internal/isa"
)

// QKernel describes one int8 micro-kernel (u8 × s8 → s32) and the packed
// layouts it reads. As with Kernel, packing follows the kernel's fields, so a
// QKernel is all the int8 driver needs.
//
// Both operands are packed in groups of KGroup consecutive k values, the
// number of products one 32-bit accumulator lane takes per instruction: four
// for VPDPBUSD (VNNI), two for VPMADDWD on values widened to 16 bits.
//
//   - A strip (MR rows, packed per call): for group g, row i, t < KGroup,
//     the value A[i][g·KGroup+t] at byte (g·MR+i)·KGroup·AWidth + t·AWidth.
//     AWidth is 1 (u8) or 2 (the value as a little-endian int16, for the
//     kernels that multiply 16-bit lanes), and rows and k past the matrix
//     are zero.
//   - B panel (NR columns, packed once by PackS8For): for group g, column j,
//     t < KGroup, the value B[g·KGroup+t][j] at byte (g·NR+j)·KGroup, zero
//     past the matrix.
//
// With zeros in the padding, a kernel sums over whole groups and the
// padding adds nothing.
type QKernel struct {
	Name string // op, tile and ISA, e.g. "qgemm12x32AVX512VNNI"
	ISA  string // the value SIMDNET_QKERNEL takes: "generic", "avx2", "avxvnni", "avx512vnni"

	MR, NR int // register tile
	KGroup int // k values per 32-bit lane: 4 or 2
	AWidth int // bytes per packed A value: 1 or 2

	// MC is the most rows of A packed at once; the driver shrinks it for
	// deep products so that the MC×K block stays within half of L2.
	MC int

	// fn computes one MR×NR tile of int32 sums over groups k groups.
	fn qMicroKernel
	// inPlace says that fn may read A straight from a row-major matrix
	// (aRS = lda, aKS = KGroup) when a strip has all MR rows and k is a
	// multiple of KGroup, which saves packing it; only kernels with
	// AWidth 1 can.
	inPlace bool
	// epilogue is the vector epilogue that goes with the kernel's ISA
	// (qkernel_amd64.go), so that a ymm kernel is timed with the epilogue
	// of the machines it is for.
	epilogue int
}

// qMicroKernel computes an MR×NR tile of exact int32 sums from an A strip
// and a packed B panel (see QKernel for the layouts):
//
//	for i < MR, j < NR:
//	    c[i*NR+j] = Σ_{g < groups, t < KGroup} a[i*aRS + g*aKS + t*AWidth] · B(g, j, t)
//
// A is a packed strip (aRS = KGroup·AWidth, aKS = MR·KGroup·AWidth) or, for
// kernels with inPlace, MR rows of a row-major matrix (aRS = lda,
// aKS = KGroup). groups is at least 1. The tile is dense (leading
// dimension NR); the driver's epilogue takes it from there, so the kernels
// hold only the k loop.
type qMicroKernel func(groups int, a []uint8, aRS, aKS int, b []int8, c []int32)

func (k *QKernel) String() string {
	return fmt.Sprintf("%s (%d×%d tile, k groups of %d, MC %d)", k.Name, k.MR, k.NR, k.KGroup, k.MC)
}

// stripBytes is the size of one packed A strip of groups k groups.
func (k *QKernel) stripBytes(groups int) int { return groups * k.MR * k.KGroup * k.AWidth }

// stripStrides are a packed strip's row stride and group step in bytes.
func (k *QKernel) stripStrides() (aRS, aKS int) {
	return k.KGroup * k.AWidth, k.MR * k.KGroup * k.AWidth
}

// panelBytes is the size of one packed B panel of groups k groups.
func (k *QKernel) panelBytes(groups int) int { return groups * k.NR * k.KGroup }

// qkernelGo is the Go twin of every int8 kernel: the product of one strip
// and one panel in the layouts of the kernel k describes, written plainly.
// The assembly kernels are tested against it on the same packed inputs, and
// the portable kernel is it.
func qkernelGo(k *QKernel, groups int, a []uint8, aRS, aKS int, b []int8, c []int32) {
	mr, nr, kg, w := k.MR, k.NR, k.KGroup, k.AWidth
	c = c[:mr*nr]
	clear(c)
	for g := 0; g < groups; g++ {
		bs := b[g*nr*kg : (g+1)*nr*kg]
		for i := 0; i < mr; i++ {
			ai := a[i*aRS+g*aKS : i*aRS+g*aKS+(kg-1)*w+1]
			ci := c[i*nr : (i+1)*nr]
			for j := range ci {
				bj := bs[j*kg : (j+1)*kg]
				var s int32
				for t, bv := range bj {
					s += int32(ai[t*w]) * int32(bv)
				}
				ci[j] += s
			}
		}
	}
}

// genericQKernel is the portable int8 kernel, on a 4×16 tile in VNNI's
// layout, which any build runs.
func genericQKernel() QKernel {
	k := QKernel{Name: "qgemm4x16Go", ISA: "generic", MR: 4, NR: 16, KGroup: 4, AWidth: 1, inPlace: true, epilogue: bestQEpilogue()}
	k.MC = qBlockRows(k.MR)
	k.fn = qgemm4x16Go
	return k
}

// qgemm4x16Go is the portable kernel's loop: qkernelGo for MR=4, NR=16,
// KGroup=4, AWidth=1, with the tile in a local array and each group's
// sixteen columns read through a fixed-size array, so that the compiler
// drops the bounds checks of the inner loop.
func qgemm4x16Go(groups int, a []uint8, aRS, aKS int, b []int8, c []int32) {
	var acc [4][16]int32
	for g := 0; g < groups; g++ {
		bg := (*[64]int8)(b[g*64 : g*64+64])
		for i := range 4 {
			ai := a[i*aRS+g*aKS : i*aRS+g*aKS+4]
			a0, a1, a2, a3 := int32(ai[0]), int32(ai[1]), int32(ai[2]), int32(ai[3])
			row := &acc[i]
			for j := range 16 {
				row[j] += a0*int32(bg[4*j]) + a1*int32(bg[4*j+1]) + a2*int32(bg[4*j+2]) + a3*int32(bg[4*j+3])
			}
		}
	}
	for i := range 4 {
		copy(c[i*16:i*16+16], acc[i][:])
	}
}

// qBlockRows is MC for an MR-row int8 kernel: a few hundred rows, as many
// strips as make a block of A (at K near 1000) take about a third of L2.
func qBlockRows(mr int) int {
	mc := max(mr, 288/mr*mr)
	return envBlock("SIMDNET_QGEMM_MC", mc, mr)
}

// availableQ lists the int8 kernels this CPU and build can run, best last.
var availableQ = append([]QKernel{genericQKernel()}, archQKernels()...)

// selectedQ is the int8 kernel used when a call names none.
var selectedQ = pickQKernel(os.Getenv("SIMDNET_QKERNEL"))

// QKernels returns copies of every int8 kernel this CPU and build can run,
// the portable one first and the fastest last.
func QKernels() []QKernel {
	out := make([]QKernel, len(availableQ))
	copy(out, availableQ)
	return out
}

// SelectedQ returns the int8 kernel used by calls that name none: the
// fastest available, or the one SIMDNET_QKERNEL asks for.
func SelectedQ() QKernel { return *selectedQ }

// QKernelByISA returns the int8 kernel for isa ("generic", "avx2",
// "avxvnni", "avx512vnni") if this CPU and build can run it.
func QKernelByISA(isaName string) (QKernel, bool) {
	if k := isa.Find(availableQ, qkernelISA, isaName); k != nil {
		return *k, true
	}
	return QKernel{}, false
}

func pickQKernel(want string) *QKernel {
	return isa.Pick(availableQ, qkernelISA, want, "SIMDNET_QKERNEL")
}

func qkernelISA(k *QKernel) string { return k.ISA }
