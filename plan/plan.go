package plan

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/simdnet/simdnet/dwconv"
	"github.com/simdnet/simdnet/gemm"
	"github.com/simdnet/simdnet/ops"
)

// Options tunes Compile.
type Options struct {
	// Kernel is the gemm micro-kernel the weights are packed for; nil means
	// gemm.Selected().
	Kernel *gemm.Kernel
	// Depthwise is the depthwise-convolution kernel; nil means
	// dwconv.Selected().
	Depthwise *dwconv.Kernel
	// Threads is the number of goroutines each product and depthwise
	// step may use; 0 means GOMAXPROCS (the depthwise steps' scratch is
	// sized for GOMAXPROCS at Compile).
	Threads int
	// Logits leaves out the output layer's activation (softmax), so Run
	// returns the logits.
	Logits bool
	// SubBatch is how many images at a time run through the leading,
	// activation-heavy steps of a larger batch (see chooseSubBatch); 0 means
	// 8, a negative value runs every step on the whole batch.
	SubBatch int
	// ArenaIdle is how long the plan keeps memory no run has used: the
	// arenas of concurrent calls that have stopped, or the part of an
	// arena only a larger batch needed. 0 means DefaultArenaIdle; a
	// negative value keeps every arena for the plan's life.
	ArenaIdle time.Duration
	// Quant, when set, compiles an int8 plan with these calibrated
	// parameters (see QuantOptions and Calibrate).
	Quant *QuantOptions
}

// ErrClosed is the error a run of a closed plan returns (wrapped, with the
// plan's name).
var ErrClosed = errors.New("plan is closed")

// Plan is a graph compiled for inference. BatchNormalization is folded into
// the preceding product's weights and bias; ReLU and the residual Add run in
// the product's gemm epilogue while each tile is in registers or L1;
// weights are packed once into the micro-kernel's layout; and every
// intermediate tensor has a fixed place in one arena, assigned by liveness,
// so tensors that are never alive together share memory.
//
// A Plan is immutable and safe for concurrent use: each Run takes its own
// arena from a pool, so a steady stream of calls allocates nothing, and the
// pool lets go of arenas that runs no longer need (PlanOptions.ArenaIdle).
// It holds copies of the weights: changing the graph afterwards does not
// change it. Close releases its memory; it waits for the runs in flight,
// and runs after it fail with ErrClosed.
type Plan struct {
	name   string
	in     ops.Shape // per-sample input shape, H×W×C
	out    ops.Shape // per-sample output shape
	steps  []step
	values []value
	input  int // value index of the input (the caller's tensor)
	output int // value index of the output (the caller's tensor)
	arena  int // per-sample arena length in float32s
	// Steps [0, prefix) run chunk images at a time; the values that live
	// only inside them have their own per-sample layout of chunkArena
	// floats, used at the chunk's size (0 when nothing is chunked).
	prefix, chunk, chunkArena int
	packers                   int // im2col packers each run needs
	maxReads                  int // the most values one step reads
	patchers                  int // grouped-convolution packers each run needs
	scalers                   int // channel-scaled operands each run packs
	scratch                   int // floats of scratch the depthwise steps need
	weights                   int // bytes of packed weights and biases
	opts                      Options
	qnotes                    []string // an int8 plan's layers kept in float32, and why

	arenas *arenaPool
	// mu is held shared by every run and exclusively by Close, so Close
	// waits for the runs in flight and no run starts on released memory.
	mu     sync.RWMutex
	closed bool
}

// value is one tensor a plan computes: its per-sample length and its place
// in the arena (scaled by the batch size at run time).
type value struct {
	name   string // the node whose output it is
	size   int    // float32s per sample
	offset int    // float32s per sample before it in the arena
	first  int    // step that writes it
	last   int    // last step that reads it
	// inChunk: the value lives only inside the sub-batched prefix, and
	// its offset is in the chunk arena.
	inChunk bool
}

// InputShape is the per-sample input shape the plan accepts (H, W, C).
func (p *Plan) InputShape() ops.Shape { return p.in.Clone() }

// OutputShape is the per-sample output shape (e.g. the class count).
func (p *Plan) OutputShape() ops.Shape { return p.out.Clone() }

// ArenaBytes is the intermediate memory one run over a batch takes.
func (p *Plan) ArenaBytes(batch int) int { return 4 * p.arenaLen(batch) }

// arenaLen is the arena's length in floats for a batch: the whole-batch
// values, then the chunk values of one chunk.
func (p *Plan) arenaLen(batch int) int {
	return p.arena*batch + p.chunkArena*min(max(p.chunk, 1), batch)
}

// WeightBytes is the memory of the packed weights and biases.
func (p *Plan) WeightBytes() int { return p.weights }

// Steps is the number of fused steps one run executes.
func (p *Plan) Steps() int {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return len(p.steps)
}

// Run computes the plan's output for the batch x (N×H×W×C) into out
// (N followed by OutputShape). It returns an error naming what is wrong when
// the shapes do not match, and allocates nothing once the arena pool is warm.
func (p *Plan) Run(out, x *ops.Tensor) error {
	return p.run(context.Background(), out, x, nil)
}

// RunContext is Run that stops early when ctx is done: cancellation is
// checked before every step, and a cancelled run returns ctx.Err() with
// out partly written.
func (p *Plan) RunContext(ctx context.Context, out, x *ops.Tensor) error {
	return p.run(ctx, out, x, nil)
}

// run is RunContext; with spent non-nil it also adds each step's wall time
// to spent[step] (see Profile).
func (p *Plan) run(ctx context.Context, out, x *ops.Tensor, spent []time.Duration) error {
	if err := p.checkIO(out, x); err != nil {
		return err
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.closed {
		return fmt.Errorf("plan %s: %w", p.name, ErrClosed)
	}
	batch := x.Shape[0]
	ar := p.arenas.get(p.arenaLen(batch))
	defer p.arenas.put(ar)
	ar.whole, ar.x, ar.y = batch, x.Data, out.Data
	done := ctx.Done()
	for ar.start = 0; ar.start < batch && p.prefix > 0; ar.start += p.chunk {
		ar.batch = min(p.chunk, batch-ar.start)
		if err := p.runSteps(done, ar, 0, p.prefix, spent); err != nil {
			return ctx.Err()
		}
	}
	ar.start, ar.batch = 0, batch
	if err := p.runSteps(done, ar, p.prefix, len(p.steps), spent); err != nil {
		return ctx.Err()
	}
	return nil
}

// errCancelled tells run that done was closed before a step.
var errCancelled = errors.New("cancelled")

// runSteps runs steps [from, to), first checking that done is open (a nil
// channel, context.Background's, never closes).
func (p *Plan) runSteps(done <-chan struct{}, ar *arena, from, to int, spent []time.Duration) error {
	for i := from; i < to; i++ {
		select {
		case <-done:
			return errCancelled
		default:
		}
		if spent == nil {
			p.steps[i].run(p, ar)
			continue
		}
		start := time.Now()
		p.steps[i].run(p, ar)
		spent[i] += time.Since(start)
	}
	return nil
}

// Close releases the plan's packed weights and arenas, once the runs in
// flight have finished; later runs return ErrClosed. Closing twice is
// harmless.
func (p *Plan) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	p.arenas.release()
	p.steps, p.values = nil, nil
	return nil
}

// IdleArenaBytes is the memory held by arenas waiting for a run: what the
// plan keeps between calls, which it lets go of after Options.ArenaIdle.
func (p *Plan) IdleArenaBytes() int { return p.arenas.idleBytes() }

// StepTime is one step's share of a profiled run.
type StepTime struct {
	Step    int           // index, as in Describe
	What    string        // the step's line in Describe
	Time    time.Duration // wall time per run
	Percent float64       // share of the whole run
}

// Profile runs the plan on x (warm-up once, then runs times) and returns the
// wall time of each fused step per run: where a forward pass spends its time.
func (p *Plan) Profile(x *ops.Tensor, runs int) ([]StepTime, error) {
	if x == nil || len(x.Shape) != len(p.in)+1 {
		return nil, p.inputErr(x)
	}
	if runs < 1 {
		return nil, fmt.Errorf("plan %s: profile: %d runs, want at least 1", p.name, runs)
	}
	out := ops.NewTensor(append([]int{x.Shape[0]}, p.out...)...)
	if err := p.Run(out, x); err != nil {
		return nil, err
	}
	spent := make([]time.Duration, p.Steps())
	for range runs {
		if err := p.run(context.Background(), out, x, spent); err != nil {
			return nil, err
		}
	}
	var total time.Duration
	for _, d := range spent {
		total += d
	}
	times := make([]StepTime, len(spent))
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.closed {
		return nil, fmt.Errorf("plan %s: %w", p.name, ErrClosed)
	}
	for i, d := range spent {
		times[i] = StepTime{Step: i, What: p.steps[i].describe(p), Time: d / time.Duration(runs)}
		if total > 0 {
			times[i].Percent = 100 * float64(d) / float64(total)
		}
	}
	return times, nil
}

// Forward runs the plan on x and returns a new output tensor.
func (p *Plan) Forward(x *ops.Tensor) (*ops.Tensor, error) {
	if x == nil || len(x.Shape) != len(p.in)+1 {
		return nil, p.inputErr(x)
	}
	out := ops.NewTensor(append([]int{x.Shape[0]}, p.out...)...)
	if err := p.Run(out, x); err != nil {
		return nil, err
	}
	return out, nil
}

func (p *Plan) checkIO(out, x *ops.Tensor) error {
	if x == nil || len(x.Shape) != len(p.in)+1 || x.Shape[0] < 1 || !x.Shape[1:].Equal(p.in) || len(x.Data) != x.Shape.Len() {
		return p.inputErr(x)
	}
	if out == nil || len(out.Shape) != len(p.out)+1 || out.Shape[0] != x.Shape[0] || !out.Shape[1:].Equal(p.out) || len(out.Data) != out.Shape.Len() {
		want := append(ops.Shape{x.Shape[0]}, p.out...)
		got := "nil"
		if out != nil {
			got = fmt.Sprintf("%v with %d values", out.Shape, len(out.Data))
		}
		return fmt.Errorf("plan %s: output tensor is %s, want shape %v", p.name, got, want)
	}
	return nil
}

func (p *Plan) inputErr(x *ops.Tensor) error {
	got := "nil"
	if x != nil {
		got = fmt.Sprintf("shape %v with %d values", x.Shape, len(x.Data))
	}
	return fmt.Errorf("plan %s: input is %s, want a batch of at least one %v image (N×H×W×C)", p.name, got, p.in)
}

// slice returns value v's memory for the images the current step computes:
// the current chunk's part of a whole-batch value (images are contiguous in
// NHWC), or a chunk value at the chunk's size.
func (p *Plan) slice(ar *arena, v int) []float32 {
	val := &p.values[v]
	lo, hi := ar.start*val.size, (ar.start+ar.batch)*val.size
	switch {
	case v == p.input:
		return ar.x[lo:hi]
	case v == p.output:
		return ar.y[lo:hi]
	case val.inChunk:
		base := p.arena * ar.whole
		return ar.buf[base+val.offset*ar.batch : base+(val.offset+val.size)*ar.batch]
	}
	base := val.offset * ar.whole
	return ar.buf[base+lo : base+hi]
}

// Describe writes the fused steps, one a line, with the arena and weight
// sizes: what Compile made of the graph.
func (p *Plan) Describe(w io.Writer) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.closed {
		fmt.Fprintf(w, "plan %s: closed\n", p.name)
		return
	}
	fmt.Fprintf(w, "plan %s: %d steps, arena %d floats per image, packed weights %.1f MiB\n",
		p.name, len(p.steps), p.arena, float64(p.weights)/(1<<20))
	if p.prefix > 0 {
		fmt.Fprintf(w, "steps 0-%d run %d images at a time (chunk arena %d floats per image)\n",
			p.prefix-1, p.chunk, p.chunkArena)
	}
	for i := range p.steps {
		fmt.Fprintf(w, "  %3d %s\n", i, p.steps[i].describe(p))
	}
	p.describeQuant(w)
}
