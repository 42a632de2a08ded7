//go:build amd64 && gc && !purego

package im2col

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestCopyRunsAsm runs the assembly against its Go twin for every run
// length 1..40 (each vector width and tail), several run counts and
// strides, with a guard band after dst that must stay untouched.
func TestCopyRunsAsm(t *testing.T) {
	if !hasAVX {
		t.Skip("no AVX on this CPU")
	}
	rng := rand.New(rand.NewPCG(21, 22))
	const guard = 16
	for n := 1; n <= 40; n++ {
		for _, runs := range []int{1, 2, 7} {
			for _, extra := range []int{0, 1, 13} {
				stride := n + extra
				src := randSlice(rng, (runs-1)*stride+n)
				got := randSlice(rng, runs*n+guard)
				want := slices.Clone(got)
				copyRunsAVX2(&got[0], &src[0], runs, n, stride)
				copyRunsGo(want, src, runs, n, stride)
				if !slices.Equal(got, want) {
					t.Fatalf("n=%d runs=%d stride=%d: asm %v, Go %v", n, runs, stride, got, want)
				}
			}
		}
	}
}
