package ops

import (
	"math/rand/v2"
	"testing"
)

// TestLargeInputsRunInParallel repeats the reference comparison on inputs
// big enough for the loops to split over goroutines, including the
// per-worker partial sums of batch statistics.
func TestLargeInputsRunInParallel(t *testing.T) {
	rng := rand.New(rand.NewPCG(61, 62))
	bn := newTestBN(t, rng, 64)
	mp, _ := NewMaxPooling2D(Pool2DConfig{Name: "mp", PoolSize: [2]int{3, 3}, Strides: [2]int{2, 2}, Padding: Same})
	ap, _ := NewAveragePooling2D(Pool2DConfig{Name: "ap", PoolSize: [2]int{2, 2}})
	for _, c := range []layerCase{
		{bn, []Shape{{32, 32, 64}}, 4},
		{mp, []Shape{{33, 31, 64}}, 1},
		{ap, []Shape{{32, 32, 64}}, 4},
		{&Activation{Name: "relu", Func: ReLU}, []Shape{{32, 32, 64}}, 1},
		{&Activation{Name: "softmax", Func: Softmax}, []Shape{{4096, 16}}, 17},
		{&Add{Name: "add"}, []Shape{{32, 32, 64}, {32, 32, 64}}, 2},
		{&ZeroPadding2D{Name: "pad", Top: 1, Bottom: 2, Left: 3, Right: 0}, []Shape{{64, 64, 16}}, 1},
		{&GlobalAveragePooling2D{Name: "gap"}, []Shape{{64, 64, 16}}, 4096},
		{&GlobalMaxPooling2D{Name: "gmp"}, []Shape{{64, 64, 16}}, 1},
	} {
		for _, mode := range []Mode{Inference, Training} {
			var in []*Tensor
			for _, s := range c.in {
				in = append(in, randTensor(rng, append([]int{3}, s...)...))
			}
			layer, ref := c.layer, c.layer
			if b, ok := c.layer.(*BatchNormalization); ok {
				ref = cloneBN(b)
			}
			want, _ := newOutput(ref, in)
			got, _ := newOutput(layer, in)
			if err := ref.ForwardRef(want, in, mode); err != nil {
				t.Fatal(err)
			}
			if err := layer.Forward(got, in, mode); err != nil {
				t.Fatal(err)
			}
			assertClose(t, layer.LayerName()+" "+mode.String(), got.Data, want.Data, c.reduce)
			if b, ok := layer.(*BatchNormalization); ok && mode == Training {
				r := ref.(*BatchNormalization)
				assertClose(t, "batch variance", b.BatchVar, r.BatchVar, 3*32*32)
				assertClose(t, "moving variance", b.MovingVariance.Value, r.MovingVariance.Value, 3*32*32)
			}
		}
	}
}
