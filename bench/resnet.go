package bench

import (
	"fmt"
	"math/rand/v2"
	"time"

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
	g, err := resnet.Config{Arch: arch, InputShape: resnet.SignsInput, Classes: resnet.SignsClasses, Seed: 1}.Build()
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
// the convolution and dense layers, as the PyTorch anchor counts them.
func ForwardFlops(g *ops.Graph) float64 {
	var f float64
	for _, n := range g.Nodes() {
		switch l := n.Layer.(type) {
		case *ops.Conv2D:
			k := l.Kernel.Shape
			f += 2 * float64(n.Shape.Len()) * float64(k[0]*k[1]*k[2])
		case *ops.Dense:
			f += 2 * float64(n.Shape.Len()) * float64(l.InFeatures())
		}
	}
	return f
}

// String is the result as one line of the bench table.
func (r ResNetResult) String() string {
	return fmt.Sprintf("%-14s batch %-3d threads %d  %8.2f ms/batch  %7.2f ms/img  %7.1f img/s  %6.1f GFLOPS",
		r.Arch, r.Batch, r.Threads, r.MsPerBatch, r.MsPerImg, r.ImgPerS, r.GFLOPS)
}
