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
		_ = l.Forward(out, in, Inference) // warm the scratch pool
		const runs = 50
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		for range runs {
			if err := l.Forward(out, in, Inference); err != nil {
				t.Fatal(err)
			}
		}
		runtime.ReadMemStats(&after)
		if perCall := (after.TotalAlloc - before.TotalAlloc) / runs; perCall > 512 {
			t.Errorf("%s: %d bytes allocated per Forward", l.Class(), perCall)
		}
	}
}
