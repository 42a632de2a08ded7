//go:build amd64 && gc && !purego

package gemm

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestPackBRowsAgainstTwin runs the assembly B packer against its Go twin
// for both kernel widths, several row and panel counts and a B wider than
// the panels, with a guard band after the last panel.
func TestPackBRowsAgainstTwin(t *testing.T) {
	if !hasAVX {
		t.Skip("no AVX on this CPU")
	}
	rng := rand.New(rand.NewPCG(23, 24))
	const guard = 40
	for _, nr := range []int{8, 16, 32} {
		for _, rows := range []int{1, 3, 17} {
			for _, panels := range []int{1, 2, 5} {
				ldb := panels*nr + 7
				src := make([]float32, (rows-1)*ldb+panels*nr)
				for i := range src {
					src[i] = rng.Float32()
				}
				n := panels*rows*nr + guard
				got := make([]float32, n)
				for i := range got {
					got[i] = -rng.Float32()
				}
				want := slices.Clone(got)
				packBRowsAVX(&got[0], &src[0], rows, ldb, panels, nr, rows*nr)
				packBRowsGo(want, src, rows, ldb, panels, nr, rows*nr)
				if !slices.Equal(got, want) {
					t.Fatalf("nr=%d rows=%d panels=%d: assembly and Go twin differ", nr, rows, panels)
				}
			}
		}
	}
}
