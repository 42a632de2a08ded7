package plan

import (
	"math/rand/v2"
	"testing"

	"github.com/simdnet/simdnet/ops"
)

// TestMaxPoolU8: the u8 max pool of codes is the float max pool of the
// same codes as floats, for Same and Valid padding, explicit pads and odd
// sizes (a cell outside the image never wins).
func TestMaxPoolU8(t *testing.T) {
	cfgs := []ops.Pool2DConfig{
		{Name: "p", PoolSize: [2]int{3, 3}, Strides: [2]int{2, 2}, Padding: ops.Same},
		{Name: "p", PoolSize: [2]int{2, 2}, Padding: ops.Valid},
		{Name: "p", PoolSize: [2]int{3, 2}, Strides: [2]int{1, 2}, Padding: ops.Valid, Pads: [4]int{1, 2, 1, 0}},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for ci, cfg := range cfgs {
		g := ops.NewGraph(1)
		x := g.Input("in", 7, 9, 5)
		g.SetOutput(g.MaxPooling2D(x, cfg))
		if err := g.Build(); err != nil {
			t.Fatal(err)
		}
		out := g.OutputNode()
		c := &compiler{g: g}
		pg, ok := c.maxPoolGeom(out.Name(), ops.Shape{7, 9, 5}, out.Shape.Len())
		if !ok {
			t.Fatalf("config %d: no u8 geometry", ci)
		}
		const batch = 3
		codes := make([]uint8, batch*7*9*5)
		in := ops.NewTensor(batch, 7, 9, 5)
		for i := range codes {
			codes[i] = uint8(rng.IntN(256))
			in.Data[i] = float32(codes[i])
		}
		want, err := g.Forward(in, ops.Inference)
		if err != nil {
			t.Fatal(err)
		}
		got := make([]uint8, len(want.Data))
		maxPoolU8(got, codes, batch, pg)
		for i, v := range want.Data {
			if float32(got[i]) != v {
				t.Fatalf("config %d: cell %d: u8 pool %d, float pool %v", ci, i, got[i], v)
			}
		}
	}
}
