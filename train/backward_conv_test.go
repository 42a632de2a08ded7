package train

import (
	"testing"

	"github.com/simdnet/simdnet/ops"
)

// swappedGradCases are convolutions with so few output rows against their
// patch length and filters that patchGrads computes their patch gradients
// transposed (W·dYᵀ, then a transpose), on each path that uses it: 1×1
// stride 1 (straight into dX), 1×1 stride 2 and 3×3 (through col2im), the
// last with a 1×1 beside it that adds onto the gradient the 3×3 wrote.
var swappedGradCases = []layerCase{
	{name: "pointwise", in: []int{2, 2, 16}, batch: 1, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		return g.Conv2D(x, ops.Conv2DConfig{Filters: 20, KernelSize: [2]int{1, 1}})
	}},
	{name: "pointwise_stride2", in: []int{4, 3, 17}, batch: 1, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		return g.Conv2D(x, ops.Conv2DConfig{Filters: 16, KernelSize: [2]int{1, 1}, Strides: [2]int{2, 2}})
	}},
	{name: "3x3_accumulating", in: []int{2, 2, 16}, batch: 1, build: func(g *ops.Graph, x *ops.Node) *ops.Node {
		// The 1×1 is made first, so its backward runs last and adds onto
		// the input gradient the 3×3's col2im wrote.
		z := g.Conv2D(x, ops.Conv2DConfig{Filters: 24, KernelSize: [2]int{1, 1}})
		y := g.Conv2D(x, ops.Conv2DConfig{Filters: 24, KernelSize: [2]int{3, 3}, Padding: ops.Same})
		return g.Add(y, z)
	}},
}

// TestSwappedPatchGradients checks the input and kernel gradients of those
// convolutions against finite differences, after checking that they do
// take the transposed product.
func TestSwappedPatchGradients(t *testing.T) {
	for _, c := range swappedGradCases {
		g := ops.NewGraph(1)
		x := g.Input("", c.in...)
		g.SetOutput(c.build(g, x))
		if err := g.Build(); err != nil {
			t.Fatal(err)
		}
		for _, nd := range g.Nodes() {
			if l, ok := nd.Layer.(*ops.Conv2D); ok {
				geo, _ := l.Geometry(c.batch, nd.Inputs[0].Shape)
				if !swapPatchGrads(geo.Rows(), geo.Cols(), l.Filters) || inputGradPath(geo, l.Filters) == transposedGrad {
					t.Fatalf("%s: %s does not take the transposed product", c.name, nd.Name())
				}
			}
		}
	}
	checkLayerCases(t, swappedGradCases, false)
}
