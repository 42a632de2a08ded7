// Package simdnet runs trained image classifiers on the CPU from a Go
// program: one static binary, no cgo, no Python.
//
// A model file (safetensors, written by "simdnet train" or weights.Save,
// or converted from Keras .h5 weights by "simdnet convert") carries its
// architecture, so loading needs nothing else:
//
//	m, err := simdnet.Load("signs.safetensors")
//	if err != nil { ... }
//	top, err := m.Predict(img) // any image.Image, any size
//	fmt.Println(top[0].Class, top[0].Probability)
//
// Load compiles the network into a fused inference plan (see plan.Compile):
// BatchNorm folded into the convolutions, ReLU and residual additions in the
// GEMM epilogue, weights packed for the CPU's fastest kernel. A Model is safe
// for concurrent use by any number of goroutines; its plan allocates nothing
// per batch in steady state. Close releases it: Close waits for the calls in
// flight, and calls after it return ErrClosed.
//
// The packages below it are usable on their own: gemm (SGEMM), im2col, ops
// (tensors, layers, graphs), plan (the inference planner), resnet
// (architectures), weights (model files, Keras import) and train (backward
// pass, optimizers, fit).
package simdnet

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"image"
	"slices"
	"strconv"
	"sync"

	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/plan"
	"github.com/simdnet/simdnet/resnet"
	"github.com/simdnet/simdnet/weights"
)

// ErrClosed is what a Model's methods return after Close.
var ErrClosed = errors.New("simdnet: model is closed")

// Model is a classifier compiled for inference. It is safe for concurrent
// use. The compiled plan holds its own copy of the weights, so a Model keeps
// no file open.
type Model struct {
	plan    *plan.Plan
	config  resnet.Config
	classes []string
	predict predictBuffers
}

// predictBuffers is what Predict keeps between calls so that a call
// allocates only its result: the plan's per-sample input and output
// shapes, read once (Plan.InputShape and OutputShape copy), and the
// one-sample output tensors, pooled.
type predictBuffers struct {
	once    sync.Once
	in, out ops.Shape
	outputs sync.Pool // *ops.Tensor of shape [1, out...]
}

// shapes returns the plan's per-sample input and output shapes, read on
// the first call.
func (m *Model) shapes() (in, out ops.Shape) {
	pb := &m.predict
	pb.once.Do(func() { pb.in, pb.out = m.plan.InputShape(), m.plan.OutputShape() })
	return pb.in, pb.out
}

// output is a one-sample output tensor from the pool; putOutput returns it.
func (m *Model) output() *ops.Tensor {
	if t, ok := m.predict.outputs.Get().(*ops.Tensor); ok {
		return t
	}
	_, out := m.shapes()
	return ops.NewTensor(append([]int{1}, out...)...)
}

func (m *Model) putOutput(t *ops.Tensor) { m.predict.outputs.Put(t) }

// Prediction is one class and its probability.
type Prediction struct {
	Index       int     `json:"index"` // position in the model's output
	Class       string  `json:"class"`
	Probability float32 `json:"probability"`
}

// Load reads a model file and compiles it for inference. A file named
// *.onnx is read by package onnx (see loadONNX).
func Load(path string) (*Model, error) {
	return LoadContext(context.Background(), path)
}

// LoadContext is Load that gives up when ctx is done, returning ctx.Err():
// before reading, and while the weights are folded and packed.
//
// The file is mapped read-only while the plan packs its own copy of the
// weights, and unmapped before LoadContext returns, so loading costs one
// copy of the weights rather than two.
func LoadContext(ctx context.Context, path string) (*Model, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if isONNX(path) {
		return loadONNX(ctx, path, nil, true)
	}
	m, err := weights.Load(path, weights.ReadOnly())
	if err != nil {
		return nil, err
	}
	defer m.Close()
	return compile(ctx, m)
}

// LoadBytes reads a model file held in memory, such as one embedded in the
// binary with go:embed; name appears in errors.
func LoadBytes(name string, data []byte) (*Model, error) {
	if isONNX(name) {
		return loadONNX(context.Background(), name, data, false)
	}
	m, err := weights.LoadBytes(name, data)
	if err != nil {
		return nil, err
	}
	return compile(context.Background(), m)
}

// FromWeights compiles a network the weights package has loaded (a model
// or checkpoint file, or bare weights assigned to a graph built by hand)
// for inference.
func FromWeights(m *weights.Model) (*Model, error) { return compile(context.Background(), m) }

func compile(ctx context.Context, m *weights.Model) (*Model, error) {
	// An int8 model file carries its quantization in its metadata.
	qo, _, err := plan.DecodeQuantMeta(m.Meta)
	if err != nil {
		return nil, fmt.Errorf("simdnet: %s: %w", m.Config.Arch, err)
	}
	p, err := plan.CompileContext(ctx, m.Graph, plan.Options{Quant: qo})
	if err != nil && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if err != nil {
		return nil, fmt.Errorf("simdnet: compiling %s: %w", m.Config.Arch, err)
	}
	classes := m.Classes
	if len(classes) == 0 {
		classes = make([]string, m.Config.Classes)
		for i := range classes {
			classes[i] = strconv.Itoa(i)
		}
	}
	return &Model{plan: p, config: m.Config, classes: classes}, nil
}

// Classes are the class names in output order.
func (m *Model) Classes() []string { return append([]string(nil), m.classes...) }

// Config describes the architecture and input the model was built for.
func (m *Model) Config() resnet.Config { return m.config }

// Plan is the compiled network, for batches (Plan.Run) and its statistics.
func (m *Model) Plan() *plan.Plan { return m.plan }

// Close releases the compiled plan. It waits for the calls in flight to
// finish; later calls return ErrClosed. Closing twice is harmless.
func (m *Model) Close() error { return m.plan.Close() }

// Predict classifies one image of any size (resized to the model's input
// as ops.ImagePixels does, scaled by 1/255) and returns every class, most probable
// first. It returns ErrClosed once Close has begun.
func (m *Model) Predict(img image.Image) ([]Prediction, error) {
	probs, err := m.probabilities(img)
	if errors.Is(err, plan.ErrClosed) {
		return nil, ErrClosed
	}
	if err != nil {
		return nil, err
	}
	defer m.putOutput(probs)
	out := make([]Prediction, len(probs.Data))
	for i, p := range probs.Data {
		out[i] = Prediction{Index: i, Class: m.classes[i], Probability: p}
	}
	slices.SortStableFunc(out, func(a, b Prediction) int { return cmp.Compare(b.Probability, a.Probability) })
	return out, nil
}

// probabilities runs the plan on one image of any size, resized to the
// plan's input and scaled by 1/255 (ops.ImageInput), and returns the
// output row in a tensor of the pool (putOutput).
func (m *Model) probabilities(img image.Image) (*ops.Tensor, error) {
	in, _ := m.shapes()
	if len(in) != 3 || in[2] != 3 {
		return nil, fmt.Errorf("simdnet: Predict needs a model with an H×W×3 input, this one takes %v", in)
	}
	if b := img.Bounds(); b.Empty() {
		return nil, fmt.Errorf("simdnet: Predict: the image is empty (%v)", b)
	}
	x := ops.ImageInput(img, in[0], in[1])
	defer ops.PutImageInput(x)
	out := m.output()
	if err := m.plan.Run(out, x); err != nil {
		m.putOutput(out)
		return nil, err
	}
	return out, nil
}
