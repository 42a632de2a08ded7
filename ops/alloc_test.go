package ops

import (
	"math/rand/v2"
	"runtime"
	"testing"
)

// TestForwardAllocations checks that the hot layers allocate nothing in
// proportion to their data: what remains per call is a few small objects
// for the shape checks and the packer.
func TestForwardAllocations(t *testing.T) {
	if testing.CoverMode() != "" || raceEnabled {
		t.Skip("instrumentation allocates")
	}
	rng := rand.New(rand.NewPCG(51, 52))
	conv := mustConv(t, rng, 8, Conv2DConfig{Name: "c", Filters: 8, KernelSize: [2]int{3, 3}, Padding: Same})
	bn := newTestBN(t, rng, 8)
	relu := &Activation{Name: "r", Func: ReLU}
	pool, _ := NewMaxPooling2D(Pool2DConfig{Name: "p", PoolSize: [2]int{2, 2}})
	x := randTensor(rng, 2, 16, 16, 8) // 16 KiB
	for _, l := range []Layer{conv, bn, relu, pool} {
		out, err := Apply(l, Inference, x)
		if err != nil {
			t.Fatal(err)
		}
		in := []*Tensor{x}
		// A buffer pool (ours or gemm's) may refill now and then, so take
		// the best of a few rounds: garbage made on every call shows in all.
		best := ^uint64(0)
		for range 3 {
			best = min(best, bytesPerCall(func() { _ = l.Forward(out, in, Inference) }))
		}
		if best > 512 {
			t.Errorf("%s: %d bytes allocated per Forward", l.Class(), best)
		}
	}
}

// bytesPerCall is the heap f allocates per call, after a few warm-up calls.
func bytesPerCall(f func()) uint64 {
	for range 5 {
		f()
	}
	const runs = 50
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range runs {
		f()
	}
	runtime.ReadMemStats(&after)
	return (after.TotalAlloc - before.TotalAlloc) / runs
}
