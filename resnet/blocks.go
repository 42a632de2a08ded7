package resnet

import (
	"strconv"

	"github.com/simdnet/simdnet/ops"
)

// names returns the tutorial's layer-name bases for a block:
// res{stage}{block}_branch and bn{stage}{block}_branch.
func names(stage int, block string) (conv, bn string) {
	id := strconv.Itoa(stage) + block
	return "res" + id + "_branch", "bn" + id + "_branch"
}

func conv(g *ops.Graph, x *ops.Node, name string, filters, size, stride int, pad ops.Padding) *ops.Node {
	return g.Conv2D(x, ops.Conv2DConfig{
		Name: name, Filters: filters,
		KernelSize: [2]int{size, size}, Strides: [2]int{stride, stride}, Padding: pad,
	})
}

// identityBlock is the tutorial's identity_block: a bottleneck whose
// shortcut is the input itself, so the input must already have F3 channels.
func identityBlock(g *ops.Graph, x *ops.Node, f int, filters [3]int, stage int, block string) *ops.Node {
	convName, bnName := names(stage, block)
	f1, f2, f3 := filters[0], filters[1], filters[2]
	shortcut := x

	x = conv(g, x, convName+"2a", f1, 1, 1, ops.Valid)
	x = g.BatchNormalization(x, bnName+"2a")
	x = g.Activation(x, ops.ReLU)

	x = conv(g, x, convName+"2b", f2, f, 1, ops.Same)
	x = g.BatchNormalization(x, bnName+"2b")
	x = g.Activation(x, ops.ReLU)

	x = conv(g, x, convName+"2c", f3, 1, 1, ops.Valid)
	x = g.BatchNormalization(x, bnName+"2c")

	x = g.Add(x, shortcut)
	return g.Activation(x, ops.ReLU)
}

// convolutionalBlock is the tutorial's convolutional_block: a bottleneck
// whose first convolution and shortcut (a 1×1 convolution and batch
// normalisation) both have stride s, for blocks that change the shape.
func convolutionalBlock(g *ops.Graph, x *ops.Node, f int, filters [3]int, stage int, block string, s int) *ops.Node {
	convName, bnName := names(stage, block)
	f1, f2, f3 := filters[0], filters[1], filters[2]
	shortcut := x

	x = conv(g, x, convName+"2a", f1, 1, s, ops.Valid)
	x = g.BatchNormalization(x, bnName+"2a")
	x = g.Activation(x, ops.ReLU)

	x = conv(g, x, convName+"2b", f2, f, 1, ops.Same)
	x = g.BatchNormalization(x, bnName+"2b")
	x = g.Activation(x, ops.ReLU)

	x = conv(g, x, convName+"2c", f3, 1, 1, ops.Valid)
	x = g.BatchNormalization(x, bnName+"2c")

	shortcut = conv(g, shortcut, convName+"1", f3, 1, s, ops.Valid)
	shortcut = g.BatchNormalization(shortcut, bnName+"1")

	x = g.Add(x, shortcut)
	return g.Activation(x, ops.ReLU)
}

// basicBlock is the two-convolution block of ResNet18/34, named like the
// tutorial's: 2a (f×f, stride s) and 2b (f×f), and when the shape changes a
// 1×1 stride-s projection shortcut "1".
func basicBlock(g *ops.Graph, x *ops.Node, f int, filters [2]int, stage int, block string, s int) *ops.Node {
	convName, bnName := names(stage, block)
	shortcut := x
	project := s != 1 || x != nil && x.Shape[len(x.Shape)-1] != filters[1]

	x = conv(g, x, convName+"2a", filters[0], f, s, ops.Same)
	x = g.BatchNormalization(x, bnName+"2a")
	x = g.Activation(x, ops.ReLU)

	x = conv(g, x, convName+"2b", filters[1], f, 1, ops.Same)
	x = g.BatchNormalization(x, bnName+"2b")

	if project {
		shortcut = conv(g, shortcut, convName+"1", filters[1], 1, s, ops.Valid)
		shortcut = g.BatchNormalization(shortcut, bnName+"1")
	}
	x = g.Add(x, shortcut)
	return g.Activation(x, ops.ReLU)
}

// blockName is the tutorial's letter for block i of n (a, b, c, ...); stages
// of more than 26 blocks use the original Caffe names a, b1, b2, ...
func blockName(i, n int) string {
	if n <= 26 {
		return string(rune('a' + i))
	}
	if i == 0 {
		return "a"
	}
	return "b" + strconv.Itoa(i)
}
