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
	g := convBNGraph(t)
	const n = 10
	d := randomImages(n)
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

// convBNGraph is a convolution, a BatchNormalization named "bn" and a
// two-class head, on 6×6×3 inputs, with fixed initial weights.
func convBNGraph(t *testing.T) *ops.Graph {
	t.Helper()
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
	return g
}

// randomImages is n random 6×6×3 images in [0, 1), labelled by class in
// name order as an image folder is (the first half "a", the rest "b").
func randomImages(n int) *data.Dataset {
	rng := rand.New(rand.NewPCG(1, 2))
	d := &data.Dataset{Height: 6, Width: 6, Channels: 3, Floats: make([]float32, n*6*6*3), Labels: make([]int, n), Classes: []string{"a", "b"}}
	for i := range d.Floats {
		d.Floats[i] = rng.Float32()
	}
	for i := n / 2; i < n; i++ {
		d.Labels[i] = 1
		for j := i * 108; j < (i+1)*108; j++ {
			d.Floats[j] += 0.5 // the classes differ, so sorted batches would skew the statistics
		}
	}
	return d
}

// TestFitValidationBN: with FitConfig.ValidationBN the validation scores
// are those of the model with recalibrated statistics, and the training
// itself (weights and moving averages) is bit for bit that of a run
// without it.
func TestFitValidationBN(t *testing.T) {
	d := randomImages(12)
	fit := func(recal *data.Dataset) (*Trainer, *History) {
		tr, err := NewTrainer(convBNGraph(t), nil)
		if err != nil {
			t.Fatal(err)
		}
		h, err := Fit(tr, d, d, FitConfig{Epochs: 2, BatchSize: 4, Seed: 7, ValidationBN: recal})
		if err != nil {
			t.Fatal(err)
		}
		return tr, h
	}
	plain, hp := fit(nil)
	recal, hr := fit(d)
	pp, rp := plain.g.Params(), recal.g.Params()
	for i := range pp {
		for j := range pp[i].Value {
			if pp[i].Value[j] != rp[i].Value[j] {
				t.Fatalf("%s[%d]: %v with ValidationBN, %v without: the recalibration leaked into training", pp[i].Name, j, rp[i].Value[j], pp[i].Value[j])
			}
		}
	}
	if hp.Loss[1] != hr.Loss[1] {
		t.Errorf("training loss %v with ValidationBN, %v without", hr.Loss[1], hp.Loss[1])
	}
	saved := saveMovingStatistics(recal.g)
	if err := RecalibrateBatchNorm(recal, d, 4); err != nil {
		t.Fatal(err)
	}
	want, err := evaluate(recal, d, 4, nil)
	if err != nil {
		t.Fatal(err)
	}
	saved.restore()
	if got := hr.ValLoss[1]; got != want.Loss {
		t.Errorf("val_loss %v, want %v (the recalibrated model's loss)", got, want.Loss)
	}
	if hr.ValLoss[1] == hp.ValLoss[1] {
		t.Errorf("val_loss %v with and without ValidationBN: the recalibration had no effect", hp.ValLoss[1])
	}
	if _, err := Fit(plain, d, d, FitConfig{Epochs: 1, ValidationBN: &data.Dataset{Height: 5, Width: 6, Channels: 3}}); err == nil {
		t.Error("ValidationBN images of the wrong shape were accepted")
	}
}
