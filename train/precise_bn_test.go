package train

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/train/data"
)

// TestRecalibrateBatchNorm: for a BatchNormalization right after the first
// convolution, the recalibrated moving mean must be the mean of the
// convolution's output over the whole data set, whatever the batching, and
// with one batch the moving variance its unbiased variance.
func TestRecalibrateBatchNorm(t *testing.T) {
	g := ops.NewGraph(3)
	x := g.Input("in", 6, 6, 3)
	x = g.Conv2D(x, ops.Conv2DConfig{Name: "c", Filters: 4, KernelSize: [2]int{3, 3}})
	x = g.BatchNormalization(x, "bn")
	x = g.Activation(x, ops.ReLU)
	x = g.GlobalAveragePooling2D(x)
	x = g.Dense(x, ops.DenseConfig{Name: "fc", Units: 2, Activation: ops.Softmax})
	g.SetOutput(x)
	if err := g.Build(); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 10
	d := &data.Dataset{Height: 6, Width: 6, Channels: 3, Floats: make([]float32, n*6*6*3), Labels: make([]int, n), Classes: []string{"a", "b"}}
	for i := range d.Floats {
		d.Floats[i] = rng.Float32()
	}
	all, _ := d.All()
	vals, err := g.Run(all, ops.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	conv := vals[g.Node("c").ID].Data
	var mean, sq [4]float64
	count := float64(len(conv) / 4)
	for p := 0; p < len(conv); p += 4 {
		for c := 0; c < 4; c++ {
			mean[c] += float64(conv[p+c]) / count
		}
	}
	for p := 0; p < len(conv); p += 4 {
		for c := 0; c < 4; c++ {
			sq[c] += math.Pow(float64(conv[p+c])-mean[c], 2) / (count - 1)
		}
	}
	bn := g.Layer("bn").(*ops.BatchNormalization)
	tr, err := NewTrainer(g, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, batch := range []int{n, 3} {
		if err := RecalibrateBatchNorm(tr, d, batch); err != nil {
			t.Fatal(err)
		}
		if bn.Momentum != 0.99 {
			t.Fatalf("momentum left at %v", bn.Momentum)
		}
		for c := 0; c < 4; c++ {
			if got := bn.MovingMean.Value[c]; math.Abs(float64(got)-mean[c]) > 1e-5 {
				t.Errorf("batch %d: moving mean[%d] = %v, data mean %v", batch, c, got, mean[c])
			}
			if got := bn.MovingVariance.Value[c]; batch == n && math.Abs(float64(got)-sq[c]) > 1e-5*sq[c] {
				t.Errorf("moving variance[%d] = %v, data variance %v", c, got, sq[c])
			}
		}
	}
}
