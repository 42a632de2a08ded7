package train

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/simdnet/simdnet/ops"
)

// layerCase is one graph whose backward pass is checked against central
// differences of the ops reference forward, for its input and all its
// trainable parameters.
type layerCase struct {
	name     string
	in       []int // per-sample input shape
	batch    int
	distinct bool // input values far apart (maximum pooling)
	build    func(g *ops.Graph, x *ops.Node) *ops.Node
}

func conv(x *ops.Node, g *ops.Graph, filters, k, s int, pad ops.Padding, noBias bool) *ops.Node {
	return g.Conv2D(x, ops.Conv2DConfig{Filters: filters, KernelSize: [2]int{k, k}, Strides: [2]int{s, s}, Padding: pad, NoBias: noBias})
}

var layerCases = []layerCase{
	{name: "conv3x3_same", in: []int{5, 5, 3}, batch: 2, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		return conv(x, g, 4, 3, 1, ops.Same, false)
	}},
	{name: "conv3x3_valid_s2_nobias", in: []int{6, 7, 2}, batch: 2, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		return conv(x, g, 3, 3, 2, ops.Valid, true)
	}},
	{name: "conv2x2_same_s2", in: []int{5, 4, 3}, batch: 2, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		return conv(x, g, 5, 2, 2, ops.Same, false)
	}},
	{name: "conv2x2_same_asymmetric", in: []int{5, 4, 3}, batch: 2, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		return conv(x, g, 2, 2, 1, ops.Same, false)
	}},
	{name: "conv3x2_valid", in: []int{5, 6, 3}, batch: 2, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		return g.Conv2D(x, ops.Conv2DConfig{Filters: 3, KernelSize: [2]int{3, 2}})
	}},
	{name: "conv3x3_same_accumulated", in: []int{4, 4, 3}, batch: 2, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		// Two stride-1 convolutions of x: the second adds to its gradient.
		return g.Add(conv(x, g, 3, 3, 1, ops.Same, false), conv(x, g, 3, 3, 1, ops.Same, true))
	}},
	{name: "conv3x3_same_wide", in: []int{5, 5, 9}, batch: 3, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		// Enough channels for the eight-row kernel turn, and rows for the
		// transposed-convolution input gradient.
		return conv(x, g, 10, 3, 1, ops.Same, false)
	}},
	{name: "conv1x1", in: []int{3, 3, 5}, batch: 2, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		return conv(x, g, 4, 1, 1, ops.Valid, false)
	}},
	{name: "conv1x1_s2", in: []int{5, 4, 3}, batch: 2, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		return conv(x, g, 4, 1, 2, ops.Valid, false)
	}},
	{name: "batchnorm_training", in: []int{3, 3, 4}, batch: 2, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		return g.BatchNormalization(x, "")
	}},
	{name: "batchnorm_relu_fused", in: []int{3, 2, 3}, batch: 3, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		// The ReLU's gradient reaches the BN as a masked view of Flatten's.
		return g.Flatten(g.Activation(g.BatchNormalization(x, ""), ops.ReLU))
	}},
	{name: "batchnorm_2d", in: []int{5}, batch: 6, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		return g.BatchNormalization(x, "")
	}},
	{name: "dense", in: []int{7}, batch: 3, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		return g.Dense(x, ops.DenseConfig{Units: 4})
	}},
	{name: "dense_relu", in: []int{6}, batch: 3, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		return g.Dense(x, ops.DenseConfig{Units: 5, Activation: ops.ReLU})
	}},
	{name: "dense_softmax", in: []int{6}, batch: 3, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		return g.Dense(x, ops.DenseConfig{Units: 4, Activation: ops.Softmax, NoBias: true})
	}},
	{name: "relu", in: []int{3, 3, 2}, batch: 2, distinct: true, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		return g.Activation(x, ops.ReLU)
	}},
	{name: "softmax", in: []int{5}, batch: 3, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		return g.Activation(x, ops.Softmax)
	}},
	{name: "maxpool3x3_s2", in: []int{7, 7, 3}, batch: 2, distinct: true, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		return g.MaxPooling2D(x, ops.Pool2DConfig{PoolSize: [2]int{3, 3}, Strides: [2]int{2, 2}})
	}},
	{name: "maxpool2x2_same", in: []int{5, 3, 2}, batch: 2, distinct: true, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		return g.MaxPooling2D(x, ops.Pool2DConfig{PoolSize: [2]int{2, 2}, Padding: ops.Same})
	}},
	{name: "avgpool2x2", in: []int{4, 5, 3}, batch: 2, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		return g.AveragePooling2D(x, ops.Pool2DConfig{PoolSize: [2]int{2, 2}})
	}},
	{name: "avgpool3x3_s2_same", in: []int{5, 6, 2}, batch: 2, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		return g.AveragePooling2D(x, ops.Pool2DConfig{PoolSize: [2]int{3, 3}, Strides: [2]int{2, 2}, Padding: ops.Same})
	}},
	{name: "global_avg", in: []int{3, 4, 5}, batch: 2, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		return g.GlobalAveragePooling2D(x)
	}},
	{name: "global_max", in: []int{3, 4, 5}, batch: 2, distinct: true, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		return g.GlobalMaxPooling2D(x)
	}},
	{name: "zeropad", in: []int{3, 2, 2}, batch: 2, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		return g.Apply(&ops.ZeroPadding2D{Name: "pad", Top: 1, Bottom: 2, Left: 0, Right: 3}, x)
	}},
	{name: "flatten", in: []int{2, 3, 2}, batch: 2, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		return g.Flatten(x)
	}},
	{name: "add_shared_input", in: []int{3, 3, 2}, batch: 2, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		// x feeds the convolution and the Add: its gradient sums both.
		return g.Add(conv(x, g, 2, 3, 1, ops.Same, false), x, x)
	}},
	{name: "add_relu_fused", in: []int{3, 3, 2}, batch: 2, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		c := conv(x, g, 2, 1, 1, ops.Valid, false)
		return g.Flatten(g.Activation(g.Add(g.BatchNormalization(c, ""), x), ops.ReLU))
	}},
	{name: "add3_relu_fused", in: []int{3, 3, 2}, batch: 2, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		c := conv(x, g, 2, 1, 1, ops.Valid, false)
		return g.Flatten(g.Activation(g.Add(c, g.BatchNormalization(x, ""), x), ops.ReLU))
	}},
}

// The finite-difference step and tolerance: the loss is a float64 sum of
// float32 outputs, whose rounding error divided by 2·eps is up to a few
// 1e-4; a gradient off by a missing term or a wrong factor is off by more.
const fdEps = 1e-3

var fdTol = fdTolerance{abs: 5e-4, rel: 2e-3}

func TestLayerGradients(t *testing.T) {
	for i, c := range layerCases {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 7))
			g := ops.NewGraph(uint64(i))
			x := g.Input("", c.in...)
			g.SetOutput(c.build(g, x))
			if err := g.Build(); err != nil {
				t.Fatal(err)
			}
			jitter(g, rng)
			shape := append([]int{c.batch}, c.in...)
			in := randTensor(rng, shape...)
			if c.distinct {
				in = distinctTensor(rng, shape...)
			}
			checkGraphGradients(t, g, in, rng, fdTol)
		})
	}
}

// checkGraphGradients runs the training forward and backward of g on x with
// a random output gradient r, checks the forward against the reference,
// and checks the gradients of Σ r·out for the input and every trainable
// parameter against central differences.
func checkGraphGradients(t *testing.T, g *ops.Graph, x *ops.Tensor, rng *rand.Rand, tol fdTolerance) {
	t.Helper()
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
	ref := refOutput(t, g, x, ops.Training, false)
	for i, v := range ref {
		if d := math.Abs(float64(out.Data[i] - v)); d > 1e-5*(1+math.Abs(float64(v))) {
			t.Fatalf("forward output[%d] = %v, reference %v", i, out.Data[i], v)
		}
	}
	r := randTensor(rng, out.Shape...).Data
	copy(ws.ownGrad(p, p.output), r)
	p.backward(ws)
	loss := weightedSum(t, g, x, r)
	dx, _ := ws.grad(p, p.input)
	checkGrad(t, "input", x.Data, dx, loss, fdEps, tol)
	names := Params(g)
	for i, w := range p.params {
		name := ""
		for _, np := range names {
			if np.Param == w {
				name = np.Key()
			}
		}
		checkGrad(t, name, w.Value, p.grads[i], loss, fdEps, tol)
	}
}
