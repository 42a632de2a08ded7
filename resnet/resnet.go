package resnet

import (
	"fmt"

	"github.com/simdnet/simdnet/ops"
)

// kernelSize is the f of every block's middle convolution in the tutorial.
const kernelSize = 3

// New builds arch for per-sample inputs of inputShape (height, width,
// channels) and classes output classes, with initial weights drawn from
// seed (see ops.Graph). The graph is built and checked.
func New(arch Arch, inputShape [3]int, classes int, seed uint64) (*ops.Graph, error) {
	if err := arch.Validate(); err != nil {
		return nil, err
	}
	if classes < 1 {
		return nil, fmt.Errorf("resnet: %s: %d classes", arch.Name, classes)
	}
	g := ops.NewGraph(seed)
	g.Name = arch.Name
	x := g.Input("", inputShape[:]...)

	// Stage 1: the stem.
	x = g.ZeroPadding2D(x, 3, 3)
	x = g.Conv2D(x, ops.Conv2DConfig{Name: "conv1", Filters: 64, KernelSize: [2]int{7, 7}, Strides: [2]int{2, 2}})
	x = g.BatchNormalization(x, "bn_conv1")
	x = g.Activation(x, ops.ReLU)
	x = g.MaxPooling2D(x, ops.Pool2DConfig{PoolSize: [2]int{3, 3}, Strides: [2]int{2, 2}})

	for i, s := range arch.Stages {
		x = stage(g, x, arch.Block, s, i+2)
	}

	x = g.AveragePooling2D(x, ops.Pool2DConfig{Name: "avg_pool", PoolSize: [2]int{2, 2}})
	x = g.Flatten(x)
	x = g.Dense(x, ops.DenseConfig{Name: fmt.Sprintf("fc%d", classes), Units: classes, Activation: ops.Softmax})
	g.SetOutput(x)
	if err := g.Build(); err != nil {
		return nil, fmt.Errorf("resnet: %s on %v inputs: %w", arch.Name, inputShape, err)
	}
	return g, nil
}

// stage adds one stage's blocks: a shape-changing block, then identity
// blocks.
func stage(g *ops.Graph, x *ops.Node, kind BlockKind, s Stage, number int) *ops.Node {
	for b := 0; b < s.Blocks; b++ {
		name := blockName(b, s.Blocks)
		filters := s.blockFilters(b)
		switch {
		case kind == Basic:
			stride := 1
			if b == 0 {
				stride = s.Stride
			}
			x = basicBlock(g, x, kernelSize, [2]int(filters), number, name, stride)
		case b == 0:
			x = convolutionalBlock(g, x, kernelSize, [3]int(filters), number, name, s.Stride)
		default:
			x = identityBlock(g, x, kernelSize, [3]int(filters), number, name)
		}
	}
	return x
}

// ResNet50 builds the tutorial's ResNet50(input_shape, classes) with arch
// Standard or Seed and seed 0, as the tutorial's glorot_uniform(seed=0).
func ResNet50(inputShape [3]int, classes int, arch Arch) (*ops.Graph, error) {
	if d := arch.Depth(); d != 50 {
		return nil, fmt.Errorf("resnet: ResNet50 given a %d-layer architecture %q", d, arch.Name)
	}
	return New(arch, inputShape, classes, 0)
}
