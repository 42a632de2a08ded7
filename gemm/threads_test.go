package gemm

import (
	"math/rand/v2"
	"testing"
)

// TestThreadsAgainstReference runs products split between 3, 4 and 7
// goroutines, on shapes whose rows and columns end in partial tiles, for
// every kernel (with its own and with tiny block sizes), against the
// float64 reference, guard band included (in -short mode: each kernel
// with its own block sizes, B not transposed, two shapes). The shapes are large enough
// that each product really gets that many goroutines, and between them
// both split directions (row bands and column bands) are taken.
func TestThreadsAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(51, 52))
	dirs := map[bool]bool{}
	kernels, transposes := testKernels(), []bool{false, true}
	if testing.Short() {
		kernels, transposes = Kernels(), []bool{false}
	}
	shapes := [][3]int{{157, 131, 413}, {37, 901, 301}, {1003, 45, 170}, {250, 250, 250}}
	if testing.Short() {
		shapes = shapes[:2] // one split by rows, one by columns
	}
	if raceEnabled {
		kernels = Kernels()[len(Kernels())-1:] // the fastest: races are in the driver, not the kernels
	}
	for _, sz := range shapes {
		for _, transB := range transposes {
			p := newCase(rng, sz[0], sz[1], sz[2], false, transB, 2, 1, 0)
			p.Bias = randSlice(rng, p.N)
			p.ReLU = true
			want := refGemm(p, matrixElem(p.A, p.LDA, false))
			for _, kern := range kernels {
				for _, threads := range []int{3, 4, 7} {
					if got := threadsFor(threads, p.M, p.N, p.K, &kern); got != threads {
						t.Fatalf("%s %v: threadsFor gives %d goroutines, want %d", kern.Name, sz, got, threads)
					}
					jb := job{m: p.M, n: p.N, k: p.K, kern: &kern, alpha: 1, ldb: p.LDB, transB: transB,
						a: matrixA{ld: p.LDA}}
					jb.bSrc = chooseBSource(&jb)
					jb.aSrc = chooseASource(&jb)
					dirs[splitByRows(&jb, threads)] = true
					fill(p.C, 5)
					p.Kernel, p.Threads = &kern, threads
					Run(p)
					checkC(t, name(kern, false, transB, p.M, p.N, p.K)+"/threads", p, want, 5)
				}
			}
		}
	}
	// The shapes are chosen for the assembly kernels' tiles; the portable
	// 4×4 kernel alone (purego) splits them all one way.
	if len(Kernels()) > 1 && (!dirs[true] || !dirs[false]) {
		t.Errorf("the shapes took only one split direction (rows: %v, columns: %v)", dirs[true], dirs[false])
	}
}
