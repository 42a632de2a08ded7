package plan_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/plan"
)

// TestPlanArenasLetGo: after a burst of concurrent large batches, a server
// that goes on with batch 1 keeps one batch-1 arena, and one that stops
// keeps none.
func TestPlanArenasLetGo(t *testing.T) {
	g := smallGraph(t)
	p, err := plan.Compile(g, plan.Options{ArenaIdle: 30 * time.Millisecond, SubBatch: -1})
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(1, 3))
	big, small := randomBatch(rng, 16, 9, 11, 3), randomBatch(rng, 1, 9, 11, 3)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() { _, errs[i] = p.Forward(big) })
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	require.GreaterOrEqual(t, p.IdleArenaBytes(), p.ArenaBytes(16))

	var runErr error
	var mu sync.Mutex
	require.Eventually(t, func() bool {
		if _, err := p.Forward(small); err != nil {
			mu.Lock()
			runErr = err
			mu.Unlock()
			return true
		}
		return p.IdleArenaBytes() == p.ArenaBytes(1)
	}, 10*time.Second, 5*time.Millisecond, "idle arenas hold %d bytes, want one batch-1 arena of %d", p.IdleArenaBytes(), p.ArenaBytes(1))
	mu.Lock()
	require.NoError(t, runErr)
	mu.Unlock()

	require.Eventually(t, func() bool { return p.IdleArenaBytes() == 0 }, 10*time.Second, 10*time.Millisecond,
		"a plan no one runs still holds %d bytes of arenas", p.IdleArenaBytes())
	// And it still runs, from a fresh arena.
	want, err := g.Forward(small, ops.Inference)
	require.NoError(t, err)
	got, err := p.Forward(small)
	require.NoError(t, err)
	require.LessOrEqual(t, maxRelDiff(got.Data, want.Data), 1e-5)
}

// TestPlanKeepsArenas: a negative ArenaIdle keeps every arena.
func TestPlanKeepsArenas(t *testing.T) {
	p, err := plan.Compile(smallGraph(t), plan.Options{ArenaIdle: -1, SubBatch: -1})
	require.NoError(t, err)
	_, err = p.Forward(randomBatch(rand.New(rand.NewPCG(1, 4)), 4, 9, 11, 3))
	require.NoError(t, err)
	time.Sleep(20 * time.Millisecond)
	require.Equal(t, p.ArenaBytes(4), p.IdleArenaBytes())
}

// TestPlanRunContext: a done context stops the run before its first step
// with the context's error; the plan is fine afterwards.
func TestPlanRunContext(t *testing.T) {
	g := smallGraph(t)
	p, err := plan.Compile(g, plan.Options{SubBatch: 2})
	require.NoError(t, err)
	x := randomBatch(rand.New(rand.NewPCG(2, 4)), 3, 9, 11, 3)
	out := ops.NewTensor(3, 4)
	for i := range out.Data {
		out.Data[i] = 7
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, p.RunContext(ctx, out, x), context.Canceled)
	for _, v := range out.Data {
		require.Equal(t, float32(7), v, "a cancelled run ran a step")
	}
	past, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel2()
	require.ErrorIs(t, p.RunContext(past, out, x), context.DeadlineExceeded)

	want, err := g.Forward(x, ops.Inference)
	require.NoError(t, err)
	require.NoError(t, p.RunContext(context.Background(), out, x))
	require.LessOrEqual(t, maxRelDiff(out.Data, want.Data), 1e-5)
}

// TestPlanClose: runs after Close fail with ErrClosed, Describe says so,
// and closing twice is harmless. Close during runs is in simdnet's tests.
func TestPlanClose(t *testing.T) {
	p, err := plan.Compile(smallGraph(t), plan.Options{})
	require.NoError(t, err)
	x := randomBatch(rand.New(rand.NewPCG(2, 5)), 1, 9, 11, 3)
	_, err = p.Forward(x)
	require.NoError(t, err)
	require.NoError(t, p.Close())
	_, err = p.Forward(x)
	require.True(t, errors.Is(err, plan.ErrClosed), "got %v", err)
	_, err = p.Profile(x, 1)
	require.ErrorIs(t, err, plan.ErrClosed)
	require.Zero(t, p.IdleArenaBytes())
	var sb strings.Builder
	p.Describe(&sb)
	require.Contains(t, sb.String(), "closed")
	require.NoError(t, p.Close())
}
