package train

import (
	"math/rand/v2"
	"runtime"
	"testing"
	"unsafe"
)

// TestShortBatchesShareBuffers checks that a batch smaller than the largest
// one seen reslices the largest one's buffers instead of allocating its
// own, and that doing so changes nothing: a run of steps and evaluations
// alternating batch sizes 8, 5 and 3 gives the same bits as the same run
// with fresh (zeroed) buffers before every call, so nothing reads what an
// earlier, larger batch left behind.
func TestShortBatchesShareBuffers(t *testing.T) {
	a, b := newTinyTrainer(t), newTinyTrainer(t)
	rng := rand.New(rand.NewPCG(5, 6))
	for i, batch := range []int{8, 5, 8, 3, 5, 3} {
		x, labels := syntheticBatch(rng, batch, [3]int{detSide, detSide, 3}, 3)
		b.ReleaseBuffers()
		ra, err := a.Step(x, labels)
		if err != nil {
			t.Fatal(err)
		}
		rb, err := b.Step(x, labels)
		if err != nil {
			t.Fatal(err)
		}
		if ra != rb {
			t.Fatalf("step %d (batch %d): %+v with shared buffers, %+v with fresh ones", i, batch, ra, rb)
		}
		b.ReleaseBuffers()
		ea, err := a.Evaluate(x, labels)
		if err != nil {
			t.Fatal(err)
		}
		eb, err := b.Evaluate(x, labels)
		if err != nil {
			t.Fatal(err)
		}
		if ea != eb {
			t.Fatalf("evaluation %d (batch %d): %+v with shared buffers, %+v with fresh ones", i, batch, ea, eb)
		}
	}
	identicalWeights(t, "shared and fresh buffers", a.Graph(), b.Graph())

	// The batches of 5 and 3 are views of the batch of 8's buffers.
	base := a.spaces.base
	if base == nil || base.batch != 8 {
		t.Fatalf("base workspace %v, want batch 8", base)
	}
	for _, ws := range a.spaces.list {
		if ws == base {
			continue
		}
		if ws.base != base {
			t.Fatalf("batch %d has its own buffers", ws.batch)
		}
		for id, out := range ws.out {
			if out != nil && id != a.plan.input.ID && unsafe.SliceData(out.Data) != unsafe.SliceData(base.out[id].Data) {
				t.Fatalf("batch %d: output of node %d is not the base's", ws.batch, id)
			}
		}
		for i := range ws.slots {
			if unsafe.SliceData(ws.slots[i]) != unsafe.SliceData(base.slots[i]) {
				t.Fatalf("batch %d: gradient buffer %d is not the base's", ws.batch, i)
			}
		}
	}

	// Alternating sizes, once all are seen, allocates no tensors.
	x8, l8 := syntheticBatch(rng, 8, [3]int{detSide, detSide, 3}, 3)
	x5, l5 := syntheticBatch(rng, 5, [3]int{detSide, detSide, 3}, 3)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	const rounds = 4
	for range rounds {
		if _, err := a.Step(x8, l8); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Step(x5, l5); err != nil {
			t.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	// One activation of this network at batch 5 is 5·22·22·16·4 bytes ≈ 155 KB.
	if per := (after.TotalAlloc - before.TotalAlloc) / (2 * rounds); per > 128<<10 {
		t.Errorf("alternating batch sizes allocates %d bytes a step, want under 128 KiB", per)
	}
}
