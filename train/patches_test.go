package train

import (
	"math/rand/v2"
	"testing"

	"github.com/simdnet/simdnet/im2col"
)

// TestPatchesTPacksTransposedPatches compares patchesT with the transpose
// of im2col's patch matrix (plus the row of ones) for every block shape
// gemm may ask for.
func TestPatchesTPacksTransposedPatches(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	geoms := []im2col.Geometry{
		{N: 2, H: 5, W: 5, C: 5, KH: 3, KW: 3, SH: 1, SW: 1, PadTop: 1, PadBottom: 1, PadLeft: 1, PadRight: 1},
		{N: 2, H: 7, W: 6, C: 3, KH: 7, KW: 7, SH: 2, SW: 2, PadTop: 3, PadBottom: 3, PadLeft: 3, PadRight: 3},
		{N: 3, H: 4, W: 3, C: 30, KH: 1, KW: 1, SH: 1, SW: 1},
		{N: 2, H: 5, W: 4, C: 26, KH: 1, KW: 1, SH: 2, SW: 2},
		{N: 1, H: 4, W: 5, C: 2, KH: 2, KW: 3, SH: 1, SW: 2, PadBottom: 1, PadRight: 1},
		// Valid windows whose strips span two kernel rows (the stem's 7×7).
		{N: 2, H: 9, W: 10, C: 3, KH: 7, KW: 7, SH: 2, SW: 2},
		{N: 2, H: 5, W: 6, C: 5, KH: 3, KW: 3, SH: 1, SW: 1},
	}
	for _, g := range geoms {
		src := randTensor(rng, g.InputLen()).Data
		cols := make([]float32, g.Rows()*g.Cols())
		im2col.Im2Col(cols, src, g)
		for _, ones := range []bool{false, true} {
			var pt patchesT
			pt.reset(src, g, ones)
			m, k := pt.rows(), g.Rows()
			at := func(i, p int) float32 { // A[i][p] by definition
				if i == g.Cols() {
					return 1
				}
				return cols[p*g.Cols()+i]
			}
			for _, mr := range []int{6, 12, 5} {
				for _, blk := range [][2]int{{mr, 3}, {2 * mr, 7}, {m, k}, {5 * mr, 1}} {
					for i0 := 0; i0 < m; i0 += blk[0] {
						mc := min(blk[0], m-i0)
						for p0 := 0; p0 < k; p0 += blk[1] {
							kc := min(blk[1], k-p0)
							strips := (mc + mr - 1) / mr
							dst := randTensor(rng, strips*kc*mr).Data
							pt.PackA(dst, i0, mc, p0, kc, mr)
							for s := range strips {
								for p := range kc {
									for i := range mr {
										want := float32(0)
										if s*mr+i < mc {
											want = at(i0+s*mr+i, p0+p)
										}
										if got := dst[s*kc*mr+p*mr+i]; got != want {
											t.Fatalf("%+v ones=%v mr=%d block i0=%d mc=%d p0=%d kc=%d: A[%d][%d] = %v, want %v",
												g, ones, mr, i0, mc, p0, kc, i0+s*mr+i, p0+p, got, want)
										}
									}
								}
							}
						}
					}
				}
			}
		}
	}
}
