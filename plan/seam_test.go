package plan_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/plan"
)

// square is a layer defined outside ops, as a user's would be: x² value by
// value, compiled from the kernel it reports.
type square struct{ name string }

func (l *square) LayerName() string                              { return l.name }
func (l *square) Class() string                                  { return "Square" }
func (l *square) Params() []*ops.Param                           { return nil }
func (l *square) OutputShape(in ...ops.Shape) (ops.Shape, error) { return in[0].Clone(), nil }
func (l *square) Forward(out *ops.Tensor, in []*ops.Tensor, _ ops.Mode) error {
	for i, v := range in[0].Data {
		out.Data[i] = v * v
	}
	return nil
}
func (l *square) ForwardRef(out *ops.Tensor, in []*ops.Tensor, m ops.Mode) error {
	return l.Forward(out, in, m)
}

func (l *square) Inference(...ops.Shape) (ops.InferenceOp, error) {
	return ops.InferenceOp{Kind: ops.OpKernel, Kernel: ops.Kernel{What: "square",
		Run: func(dst []float32, src [][]float32, _ int) {
			for i, v := range src[0] {
				dst[i] = v * v
			}
		}}}, nil
}

// halve reports itself as an affine map, so a product before it folds it.
type halve struct{ square }

func (l *halve) Class() string { return "Halve" }
func (l *halve) Forward(out *ops.Tensor, in []*ops.Tensor, _ ops.Mode) error {
	for i, v := range in[0].Data {
		out.Data[i] = v/2 + 1
	}
	return nil
}
func (l *halve) ForwardRef(out *ops.Tensor, in []*ops.Tensor, m ops.Mode) error {
	return l.Forward(out, in, m)
}
func (l *halve) Inference(in ...ops.Shape) (ops.InferenceOp, error) {
	c := in[0][len(in[0])-1]
	op := ops.InferenceOp{Kind: ops.OpAffine, Scale: make([]float32, c), Shift: make([]float32, c)}
	for i := range op.Scale {
		op.Scale[i], op.Shift[i] = 0.5, 1
	}
	return op, nil
}

// opaque has no Inference method.
type opaque struct{ square }

func (l *opaque) Inference() {}

// TestSeam: layers from outside ops compile through what they report: a
// kernel as a step of its own, an affine map folded into the convolution
// before it; a layer that reports nothing is refused by name.
func TestSeam(t *testing.T) {
	g := ops.NewGraph(3)
	x := g.Input("in", 7, 5, 3)
	x = g.Conv2D(x, ops.Conv2DConfig{Name: "c", Filters: 4, KernelSize: [2]int{3, 3}, Padding: ops.Same})
	x = g.Apply(&halve{square{"h"}}, x)
	x = g.Activation(x, ops.ReLU)
	x = g.Apply(&square{"sq"}, x)
	g.SetOutput(x)
	require.NoError(t, g.Build())
	rng := rand.New(rand.NewPCG(4, 4))
	xb := randomBatch(rng, 3, 7, 5, 3)
	want, err := g.Forward(xb, ops.Inference)
	require.NoError(t, err)
	p, err := plan.Compile(g, plan.Options{})
	require.NoError(t, err)
	require.Equal(t, 2, p.Steps(), "conv+halve+relu, then square")
	got, err := p.Forward(xb)
	require.NoError(t, err)
	require.LessOrEqual(t, maxRelDiff(got.Data, want.Data), 1e-5)

	g2 := ops.NewGraph(3)
	y := g2.Input("in", 2)
	g2.SetOutput(g2.Apply(&opaque{square{"mystery"}}, y))
	_, err = plan.Compile(g2, plan.Options{})
	require.ErrorContains(t, err, `"mystery" (Square)`)
	require.ErrorContains(t, err, "does not support")
}

// hook is a layer whose kernel calls run: a probe into the order of steps.
type hook struct {
	square
	run func()
}

func (l *hook) Inference(...ops.Shape) (ops.InferenceOp, error) {
	return ops.InferenceOp{Kind: ops.OpKernel, Kernel: ops.Kernel{What: "hook",
		Run: func(dst []float32, src [][]float32, _ int) {
			l.run()
			copy(dst, src[0])
		}}}, nil
}

func (l *hook) Forward(out *ops.Tensor, in []*ops.Tensor, _ ops.Mode) error {
	copy(out.Data, in[0].Data)
	return nil
}

// TestRunContextBetweenSteps: a context cancelled while a step runs stops
// the run before the next step, with the context's error.
func TestRunContextBetweenSteps(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	later := 0
	g := ops.NewGraph(1)
	x := g.Input("in", 5, 5, 2)
	x = g.Conv2D(x, ops.Conv2DConfig{Filters: 3, KernelSize: [2]int{3, 3}})
	x = g.Apply(&hook{square: square{"cancel"}, run: cancel}, x)
	x = g.Apply(&hook{square: square{"later"}, run: func() { later++ }}, x)
	g.SetOutput(x)
	p, err := plan.Compile(g, plan.Options{SubBatch: -1})
	require.NoError(t, err)
	out := ops.NewTensor(2, 3, 3, 3)
	err = p.RunContext(ctx, out, randomBatch(rand.New(rand.NewPCG(1, 2)), 2, 5, 5, 2))
	require.ErrorIs(t, err, context.Canceled)
	require.Zero(t, later, "a step ran after the cancellation")
	require.NoError(t, p.Run(out, randomBatch(rand.New(rand.NewPCG(1, 2)), 2, 5, 5, 2)))
	require.Equal(t, 1, later)
}
