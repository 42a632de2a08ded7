package gemm

import (
	"fmt"
	"math"
)

// Params describes one multiplication
//
//	C = act(alpha·op(A)·op(B) + beta·C + Bias + Residual)
//
// for row-major float32 matrices with op(A) m×k, op(B) k×n and C m×n. Bias is
// added to every row (one value per column), Residual is an m×n matrix, and
// the activation is applied last: ReLU when ReLU is set, Act otherwise
// (none by default). With Beta == 0, C is overwritten and its old
// contents (NaNs included) are never read, as in BLAS.
type Params struct {
	M, N, K     int
	Alpha, Beta float32

	A      []float32 // op(A): A is m×k, or k×m when TransA
	LDA    int
	TransA bool
	APack  APacker // when set, it supplies op(A) and A, LDA, TransA are unused

	B       []float32 // op(B): B is k×n, or n×k when TransB
	LDB     int
	TransB  bool
	BPacked *PackedB // when set, it supplies op(B); its kernel runs the call

	C   []float32
	LDC int

	Bias     []float32 // optional, at least N values
	Residual []float32 // optional m×n matrix added before the ReLU
	LDR      int
	ReLU     bool       // max(·, 0) last, in the kernels' registers
	Act      Activation // or another activation last (ActReLU is ReLU)

	Kernel  *Kernel // nil: Selected()
	Threads int     // goroutines to use; 0: GOMAXPROCS

	// SplitK lets a product whose depth dwarfs C (k at least twice
	// C's larger side and 2048 or more) be cut into depth groups summed at
	// the end, as a convolution's weight gradient is best computed. The
	// groups depend on the shape alone, so the result does not depend on
	// Threads, but its rounding differs from the unsplit product's. A
	// product with Bias, Residual, an activation or BPacked is not split.
	SplitK bool
}

// check panics, BLAS-style, on arguments that cannot describe a product.
func (p *Params) check() {
	if p.M < 0 {
		panic(fmt.Sprintf("gemm: m = %d < 0", p.M))
	}
	if p.N < 0 {
		panic(fmt.Sprintf("gemm: n = %d < 0", p.N))
	}
	if p.K < 0 {
		panic(fmt.Sprintf("gemm: k = %d < 0", p.K))
	}
	if p.APack == nil {
		rows, cols := p.M, p.K
		if p.TransA {
			rows, cols = p.K, p.M
		}
		checkMatrix("a", "lda", p.A, p.LDA, rows, cols)
	}
	if p.BPacked != nil {
		if p.BPacked.k != p.K || p.BPacked.n != p.N {
			panic(fmt.Sprintf("gemm: packed b is %d×%d, want k×n = %d×%d", p.BPacked.k, p.BPacked.n, p.K, p.N))
		}
	} else {
		rows, cols := p.K, p.N
		if p.TransB {
			rows, cols = p.N, p.K
		}
		checkMatrix("b", "ldb", p.B, p.LDB, rows, cols)
	}
	checkMatrix("c", "ldc", p.C, p.LDC, p.M, p.N)
	if p.Bias != nil && len(p.Bias) < p.N {
		panic(fmt.Sprintf("gemm: len(bias) = %d < n = %d", len(p.Bias), p.N))
	}
	if p.Residual != nil {
		checkMatrix("residual", "ldr", p.Residual, p.LDR, p.M, p.N)
	}
	if err := p.Act.Check(); err != nil {
		panic("gemm: act: " + err.Error())
	}
	if p.ReLU && p.Act.Kind != ActNone && p.Act.Kind != ActReLU {
		panic(fmt.Sprintf("gemm: ReLU and act = %v both set", p.Act.Kind))
	}
	if p.Threads < 0 {
		panic(fmt.Sprintf("gemm: threads = %d < 0", p.Threads))
	}
}

// checkMatrix panics unless data holds a rows×cols row-major matrix with
// leading dimension ld. The extent (rows-1)·ld + cols is computed only
// where it fits in an int: an absurd ld would otherwise wrap it to a small
// or negative number that any slice passes, and the kernels, which cannot
// check bounds, would then read or write far outside the slice.
func checkMatrix(name, ldName string, data []float32, ld, rows, cols int) {
	if ld < max(1, cols) {
		panic(fmt.Sprintf("gemm: %s = %d < max(1, %d)", ldName, ld, cols))
	}
	if rows == 0 || cols == 0 {
		return
	}
	need, ok := extent(rows, ld, cols)
	if !ok {
		panic(fmt.Sprintf("gemm: a %d×%d matrix %s with %s = %d spans more than %d values", rows, cols, name, ldName, ld, math.MaxInt))
	}
	if len(data) < need {
		panic(fmt.Sprintf("gemm: len(%s) = %d < %d for a %d×%d matrix with %s = %d", name, len(data), need, rows, cols, ldName, ld))
	}
}

// extent is (rows-1)·stride + cols, the number of values a rows×cols block
// with that row stride spans, and whether it fits in an int. rows, stride
// and cols are at least 1.
func extent(rows, stride, cols int) (int, bool) {
	if rows-1 > (math.MaxInt-cols)/stride {
		return 0, false
	}
	return (rows-1)*stride + cols, true
}
