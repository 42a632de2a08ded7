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

// ResNetResult is the inference speed of one architecture at one batch size.
type ResNetResult struct {
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
	g, err := models.Build(arch, input, classes, 1)
	if err != nil {
		return nil, nil, err
	}
	p, err := plan.Compile(g, plan.Options{Threads: threads})
	if err != nil {
		return nil, nil, err
	}
	return g, p, nil
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

// ResNet times the compiled plan on a batch of the given size; flop is the
// work of one image (ForwardFlops).
func ResNet(arch string, flop float64, p *plan.Plan, batch, threads int, minRound time.Duration) (ResNetResult, error) {
	x := RandomImages(p, batch)
	out := ops.NewTensor(append([]int{batch}, p.OutputShape()...)...)
	var runErr error
	t := Measure(func() {
		if err := p.Run(out, x); err != nil && runErr == nil {
			runErr = err
		}
	}, minRound, 3)
	if runErr != nil {
		return ResNetResult{}, runErr
	}
	sec := t.PerCall.Seconds()
	return ResNetResult{
		Arch: arch, Batch: batch, Threads: threads,
		MsPerBatch: sec * 1e3, MsPerImg: sec * 1e3 / float64(batch), ImgPerS: float64(batch) / sec,
		GFLOPS: flop * float64(batch) / sec / 1e9, GFLOPPerImg: flop / 1e9,
		ArenaBytes: p.ArenaBytes(batch), WeightBytes: p.WeightBytes(),
	}, nil
}

// ForwardFlops counts the multiply-adds (×2) of one image's forward pass in
// the products (convolutions, grouped or not, dense layers) and depthwise
// convolutions, as the PyTorch anchor counts them, from what each layer
// tells the planner (ops.InferenceLayer, ops.InferenceChain).
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
func (r ResNetResult) String() string {
	return fmt.Sprintf("%-14s batch %-3d threads %d  %8.2f ms/batch  %7.2f ms/img  %7.1f img/s  %6.1f GFLOPS",
		r.Arch, r.Batch, r.Threads, r.MsPerBatch, r.MsPerImg, r.ImgPerS, r.GFLOPS)
}
