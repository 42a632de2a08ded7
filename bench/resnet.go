package bench

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/simdnet/simdnet/models"
	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/plan"
	"github.com/simdnet/simdnet/resnet"
)

// Result is the inference speed of one network at one batch size.
type Result struct {
	Arch        string  `json:"arch"`
	Batch       int     `json:"batch"`
	Threads     int     `json:"threads"`
	MsPerBatch  float64 `json:"ms_per_batch"`
	MsPerImg    float64 `json:"ms_per_img"`
	ImgPerS     float64 `json:"img_per_s"`
	GFLOPS      float64 `json:"gflops"`
	GFLOPPerImg float64 `json:"gflop_per_img"`
	ArenaBytes  int     `json:"arena_bytes"`
	WeightBytes int     `json:"weight_bytes"`
}

// CompiledResNet builds the named architecture for 64×64×3 SIGNS images with
// seeded random weights and compiles it for inference with threads
// goroutines per product (0: GOMAXPROCS).
func CompiledResNet(arch string, threads int) (*ops.Graph, *plan.Plan, error) {
	return Compiled(arch, resnet.SignsInput, resnet.SignsClasses, threads)
}

// Compiled builds any registered architecture (package models: resnet50,
// mobilenetv2, ...) for the given input and classes with seeded random
// weights, and compiles it with threads goroutines per product (0:
// GOMAXPROCS).
func Compiled(arch string, input [3]int, classes, threads int) (*ops.Graph, *plan.Plan, error) {
	g, err := models.Build(arch, input, classes, Seed)
	if err != nil {
		return nil, nil, err
	}
	p, err := Compile(g, threads)
	if err != nil {
		return nil, nil, err
	}
	return g, p, nil
}

// Seed is the seed of the random weights the benchmarks build networks
// with, so that every run times the same numbers.
const Seed = 1

// Compile compiles any graph (built, or read from a model file) for
// inference the way the benchmarks time it: threads goroutines per product
// (0: GOMAXPROCS), the selected kernels.
func Compile(g *ops.Graph, threads int) (*plan.Plan, error) {
	return plan.Compile(g, plan.Options{Threads: threads})
}

// RandomImages is a batch of n images of the plan's input shape with values
// in [0, 1), as scaled photos have.
func RandomImages(p *plan.Plan, n int) *ops.Tensor {
	x := ops.NewTensor(append([]int{n}, p.InputShape()...)...)
	rng := rand.New(rand.NewPCG(uint64(n), 7))
	for i := range x.Data {
		x.Data[i] = rng.Float32()
	}
	return x
}

// Inference times the compiled plan of any network on a batch of random
// inputs of the given size; name labels the result, flop is the work of one
// sample (ForwardFlops).
func Inference(name string, flop float64, p *plan.Plan, batch, threads int, minRound time.Duration) (Result, error) {
	x := RandomImages(p, batch)
	out := ops.NewTensor(append([]int{batch}, p.OutputShape()...)...)
	var runErr error
	t := Measure(func() {
		if err := p.Run(out, x); err != nil && runErr == nil {
			runErr = err
		}
	}, minRound, 3)
	if runErr != nil {
		return Result{}, runErr
	}
	sec := t.PerCall.Seconds()
	return Result{
		Arch: name, Batch: batch, Threads: threads,
		MsPerBatch: sec * 1e3, MsPerImg: sec * 1e3 / float64(batch), ImgPerS: float64(batch) / sec,
		GFLOPS: flop * float64(batch) / sec / 1e9, GFLOPPerImg: flop / 1e9,
		ArenaBytes: p.ArenaBytes(batch), WeightBytes: p.WeightBytes(),
	}, nil
}

// ForwardFlops counts the multiply-adds (×2) of one image's forward pass in
// the products (convolutions, grouped or not, dilated or not, and Dense on
// inputs of any rank: output values × taps per output) and depthwise
// convolutions (output values × kernel taps; a separable convolution is
// both), as the PyTorch anchor, fvcore and the MobileNet papers count them,
// from what each layer tells the planner (ops.InferenceLayer,
// ops.InferenceChain). Element-wise work (BatchNorm, activations, sums,
// squeeze-and-excitation's scaling, pooling, concatenation) counts zero: it
// is about 1% of a CNN's and not what GFLOPS compares. A layer the planner
// cannot describe cannot be compiled either, so nothing timed goes
// uncounted.
func ForwardFlops(g *ops.Graph) float64 {
	var f float64
	for _, n := range g.Nodes() {
		shapes := make([]ops.Shape, len(n.Inputs))
		for i, in := range n.Inputs {
			shapes[i] = in.Shape
		}
		switch l := n.Layer.(type) {
		case ops.InferenceChain:
			links, outs, err := l.InferenceChain(shapes...)
			if err == nil {
				for i, op := range links {
					f += opFlops(op, outs[i])
				}
			}
		case ops.InferenceLayer:
			if op, err := l.Inference(shapes...); err == nil {
				f += opFlops(op, n.Shape)
			}
		}
	}
	return f
}

// opFlops is 2 × the multiply-adds of one operation with output shape out.
func opFlops(op ops.InferenceOp, out ops.Shape) float64 {
	switch op.Kind {
	case ops.OpProduct:
		g := op.Product.Geometry
		return 2 * float64(out.Len()) * float64(g.KH*g.KW*g.C/max(op.Product.Groups, 1))
	case ops.OpDepthwise:
		g := op.Depthwise.Geometry
		return 2 * float64(out.Len()) * float64(g.KH*g.KW)
	}
	return 0
}

// String is the result as one line of the bench table.
func (r Result) String() string {
	return fmt.Sprintf("%-14s batch %-3d threads %d  %8.2f ms/batch  %7.2f ms/img  %7.1f img/s  %6.1f GFLOPS",
		r.Arch, r.Batch, r.Threads, r.MsPerBatch, r.MsPerImg, r.ImgPerS, r.GFLOPS)
}
