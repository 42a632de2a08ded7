package gemm

import (
	"math/rand/v2"
	"testing"
)

// packBTransRef is the definition of packB for a transposed B, one value
// at a time.
func packBTransRef(dst []float32, b []float32, ldb int, p0, kc, j0, nc, nr int) {
	for q := 0; q*nr < nc; q++ {
		for p := 0; p < kc; p++ {
			for j := 0; j < nr; j++ {
				v := float32(0)
				if q*nr+j < nc {
					v = b[(j0+q*nr+j)*ldb+p0+p]
				}
				dst[q*kc*nr+p*nr+j] = v
			}
		}
	}
}

// TestPackBTrans compares the blocked transposed packing with the
// definition on ragged widths (not multiples of 8 or of NR), offsets into
// B and a guard band after the panels.
func TestPackBTrans(t *testing.T) {
	rng := rand.New(rand.NewPCG(71, 72))
	for _, nr := range []int{4, 16, 32} {
		for _, nc := range []int{1, 7, 8, 9, 31, 32, 33, 70} {
			for _, kc := range []int{1, 5, 64} {
				j0, p0 := 3, 2
				ldb := p0 + kc + 5
				b := randSlice(rng, (j0+nc)*ldb)
				panels := (nc + nr - 1) / nr
				got := fill(make([]float32, panels*kc*nr+9), 7)
				want := fill(make([]float32, panels*kc*nr+9), 7)
				packBTrans(got, b, ldb, p0, kc, j0, nc, nr)
				packBTransRef(want, b, ldb, p0, kc, j0, nc, nr)
				for i := range want {
					if got[i] != want[i] {
						t.Fatalf("nr %d nc %d kc %d: dst[%d] = %v, want %v", nr, nc, kc, i, got[i], want[i])
					}
				}
			}
		}
	}
}

func BenchmarkPackBTrans(b *testing.B) {
	for _, sz := range [][2]int{{2048, 512}, {512, 4608}} { // n×k stored
		n, k := sz[0], sz[1]
		src := randSlice(rand.New(rand.NewPCG(1, 1)), n*k)
		kc, nc, nr := 704, 736, 32
		dst := make([]float32, (nc+nr-1)/nr*nr*kc)
		b.Run("blocked", func(b *testing.B) {
			for b.Loop() {
				for j0 := 0; j0 < n; j0 += nc {
					for p0 := 0; p0 < k; p0 += kc {
						packBTrans(dst, src, k, p0, min(kc, k-p0), j0, min(nc, n-j0), nr)
					}
				}
			}
		})
		b.Run("ref", func(b *testing.B) {
			for b.Loop() {
				for j0 := 0; j0 < n; j0 += nc {
					for p0 := 0; p0 < k; p0 += kc {
						packBTransRef(dst, src, k, p0, min(kc, k-p0), j0, min(nc, n-j0), nr)
					}
				}
			}
		})
	}
}
