package gemm

import "github.com/simdnet/simdnet/internal/hugemem"

// PackedB is a k×n right-hand operand packed once into a kernel's panel
// layout, for weights that multiply many inputs (inference). It holds
// ceil(n/NR) panels of k×NR values, the last one zero-padded; because each
// panel keeps its whole depth, any KC block of it is a plain offset.
type PackedB struct {
	kern Kernel
	k, n int
	data []float32
}

// PackB packs op(B) (k×n; B is k×n, or n×k when trans) for kern, or for the
// selected kernel when kern is nil. The result is read-only and safe to share
// between goroutines. Large operands are placed in huge pages where the OS
// offers them (see internal/hugemem), since inference streams them from
// memory on every call.
func PackB(kern *Kernel, trans bool, k, n int, b []float32, ldb int) *PackedB {
	if kern == nil {
		kern = selected
	}
	kern.validate()
	rows, cols := k, n
	if trans {
		rows, cols = n, k
	}
	if k < 0 || n < 0 {
		panic("gemm: PackB: negative size")
	}
	checkMatrix("b", "ldb", b, ldb, rows, cols)
	nr := kern.NR
	panels := (n + nr - 1) / nr
	pb := &PackedB{kern: *kern, k: k, n: n, data: hugemem.Float32s(panels * k * nr)}
	if k > 0 && n > 0 {
		packB(pb.data, b, ldb, trans, 0, k, 0, n, nr)
	}
	return pb
}

// K and N give the packed operand's shape.
func (pb *PackedB) K() int { return pb.k }
func (pb *PackedB) N() int { return pb.n }

// Kernel returns the kernel the operand was packed for; calls that use it run
// that kernel.
func (pb *PackedB) Kernel() Kernel { return pb.kern }

// Bytes is the memory the packed values take.
func (pb *PackedB) Bytes() int { return 4 * len(pb.data) }

// panel returns the part of panel q that starts at depth p0.
func (pb *PackedB) panel(q, p0 int) []float32 {
	nr := pb.kern.NR
	return pb.data[q*pb.k*nr+p0*nr : (q+1)*pb.k*nr]
}
