package gemm

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// Implementation satisfies gonum's blas.Float32 (and so blas.Float32Level3)
// with this package's Sgemm; every other routine is gonum's. Install it with
//
//	blas32.Use(gemm.Implementation{})
//
// to speed up existing gonum code.
type Implementation struct {
	gonum.Implementation
}

var _ blas.Float32 = Implementation{}

// Sgemm implements blas.Float32Level3 for row-major matrices.
func (Implementation) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	transA, transB := transposed("tA", tA), transposed("tB", tB)
	Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func transposed(name string, t blas.Transpose) bool {
	switch t {
	case blas.NoTrans:
		return false
	case blas.Trans, blas.ConjTrans: // real matrices: conjugation changes nothing
		return true
	}
	panic("gemm: bad transpose value for " + name)
}
