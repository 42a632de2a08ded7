//go:build amd64 && gc && !purego

package im2col

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
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

// TestCopyRunsChecksBounds: a too-short slice or an extent that would
// overflow panics in the wrapper, before the assembly runs.
func TestCopyRunsChecksBounds(t *testing.T) {
	src, dst := make([]float32, 100), make([]float32, 100)
	for _, tc := range []struct {
		name            string
		dst, src        []float32
		runs, n, stride int
	}{
		{"short dst", dst[:20], src, 3, 7, 10},
		{"short src", dst, src[:26], 3, 7, 10},
		{"overflowing stride", dst, src, 3, 7, math.MaxInt/2 + 1},
		{"overflowing count", dst, src, math.MaxInt/2 + 1, 4, 4},
	} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "im2col:") {
					t.Errorf("%s: recovered %v, want an im2col panic", tc.name, r)
				}
			}()
			copyRunsAsm(tc.dst, tc.src, tc.runs, tc.n, tc.stride)
		}()
	}
}
