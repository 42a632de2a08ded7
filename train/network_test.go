package train

import (
	"math/rand/v2"
	"testing"

	"github.com/simdnet/simdnet/ops"
)

// tinyResNet is a residual network with every layer kind the ResNets use:
// a padded, pooled stem, a strided block with a projection shortcut, an
// identity block (whose input feeds a 1×1 convolution and the Add, so its
// gradient accumulates), global pooling and a softmax classifier.
func tinyResNet(seed uint64, classes int) *ops.Graph {
	return residualNet(seed, classes, 8, 4, 5)
}

// residualNet is tinyResNet on side×side inputs, with stem and block widths.
func residualNet(seed uint64, classes, side, stem, width int) *ops.Graph {
	g := ops.NewGraph(seed)
	x := g.Input("", side, side, 3)
	x = g.ZeroPadding2D(x, 1, 1)
	x = conv(x, g, stem, 3, 1, ops.Valid, false)
	x = g.BatchNormalization(x, "")
	// Pooling before the ReLU (the same function) keeps windows of ReLU
	// zeros, ties that any step would break, out of the finite differences,
	// and covers the unfused ReLU.
	x = g.MaxPooling2D(x, ops.Pool2DConfig{PoolSize: [2]int{2, 2}})
	x = g.Activation(x, ops.ReLU)

	// A bottleneck-like block: k1×k1 convolution with stride s, then 3×3,
	// and a 1×1 stride-s projection shortcut or the identity.
	block := func(x *ops.Node, filters, k1, s int, project bool) *ops.Node {
		sc := x
		y := conv(x, g, filters, k1, s, ops.Valid, false)
		y = g.BatchNormalization(y, "")
		y = g.Activation(y, ops.ReLU)
		y = conv(y, g, filters, 3, 1, ops.Same, false)
		y = g.BatchNormalization(y, "")
		if project {
			sc = conv(x, g, filters, 1, s, ops.Valid, false)
			sc = g.BatchNormalization(sc, "")
		}
		return g.Activation(g.Add(y, sc), ops.ReLU)
	}
	x = block(x, width, 1, 2, true)
	x = block(x, width, 1, 1, false)
	x = g.GlobalAveragePooling2D(x)
	x = g.Dense(x, ops.DenseConfig{Units: classes, Activation: ops.Softmax})
	g.SetOutput(x)
	if err := g.Build(); err != nil {
		panic(err)
	}
	return g
}

// netRel is the tolerance, relative to |g|, of the directional checks of
// whole networks (see checkDirectional).
const netRel = 1e-3

// TestResidualNetworkGradients checks the gradient of the mean softmax
// cross-entropy of a whole residual network, in Training mode, against
// central differences of the reference forward along directions in the
// space of every trainable parameter tensor.
func TestResidualNetworkGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	g := tinyResNet(3, 3)
	jitter(g, rng)
	x, labels := syntheticBatch(rng, 3, [3]int{8, 8, 3}, 3)
	checkTrainerGradients(t, g, x, labels, rng)
}

// TestResidualNetworkInputGradient checks the gradient that reaches the
// input, through every layer's input gradient and every accumulation.
func TestResidualNetworkInputGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	g := tinyResNet(4, 3)
	jitter(g, rng)
	// Drop the softmax: checkGraphGradients needs a raw output.
	g.OutputNode().Layer.(*ops.Dense).Activation = ops.Linear
	x := randTensor(rng, 2, 8, 8, 3)
	p, err := newPlan(g, planOptions{inputGrad: true, rawOutput: true})
	if err != nil {
		t.Fatal(err)
	}
	ws := newWorkspace(p, x.Shape[0])
	ws.allocGrads(p)
	out, err := p.forward(ws, x, ops.Training)
	if err != nil {
		t.Fatal(err)
	}
	r := randTensor(rng, out.Shape...).Data
	copy(ws.ownGrad(p, p.output), r)
	p.backward(ws)
	dx, _ := ws.grad(p, p.input)
	checkDirectional(t, "input", x.Data, dx, weightedSum(t, g, x, r), rng, netRel)
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}
