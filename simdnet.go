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
// Load compiles the network into a fused inference plan (see ops.Compile):
// BatchNorm folded into the convolutions, ReLU and residual additions in the
// GEMM epilogue, weights packed for the CPU's fastest kernel. A Model is safe
// for concurrent use and allocates nothing per batch in steady state.
//
// The packages below it are usable on their own: gemm (SGEMM), im2col, ops
// (tensors, layers, graphs, the planner), resnet (architectures), weights
// (model files, Keras import) and train (backward pass, optimizers, fit).
package simdnet

import (
	"fmt"
	"image"
	"sort"
	"strconv"

	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/resnet"
	"github.com/simdnet/simdnet/weights"
)

// Model is a classifier compiled for inference.
type Model struct {
	plan    *ops.Plan
	config  resnet.Config
	classes []string
}

// Prediction is one class and its probability.
type Prediction struct {
	Index       int     `json:"index"` // position in the model's output
	Class       string  `json:"class"`
	Probability float32 `json:"probability"`
}

// Load reads a model file and compiles it for inference.
func Load(path string) (*Model, error) {
	m, err := weights.Load(path)
	if err != nil {
		return nil, err
	}
	return compile(m)
}

// LoadBytes reads a model file held in memory, such as one embedded in the
// binary with go:embed; name appears in errors.
func LoadBytes(name string, data []byte) (*Model, error) {
	m, err := weights.LoadBytes(name, data)
	if err != nil {
		return nil, err
	}
	return compile(m)
}

// FromWeights compiles a network the weights package has loaded (a model
// or checkpoint file, or bare weights assigned to a graph built by hand)
// for inference.
func FromWeights(m *weights.Model) (*Model, error) { return compile(m) }

func compile(m *weights.Model) (*Model, error) {
	p, err := ops.Compile(m.Graph, ops.PlanOptions{})
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
func (m *Model) Plan() *ops.Plan { return m.plan }

// Predict classifies one image of any size (resized bilinearly to the
// model's input, scaled by 1/255) and returns every class, most probable
// first.
func (m *Model) Predict(img image.Image) ([]Prediction, error) {
	probs, err := m.plan.Predict(img)
	if err != nil {
		return nil, err
	}
	out := make([]Prediction, len(probs))
	for i, p := range probs {
		out[i] = Prediction{Index: i, Class: m.classes[i], Probability: p}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].Probability > out[b].Probability })
	return out, nil
}
