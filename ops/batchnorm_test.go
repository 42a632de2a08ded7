package ops

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func newTestBN(t *testing.T, rng *rand.Rand, c int) *BatchNormalization {
	t.Helper()
	bn, err := NewBatchNormalization(BatchNormConfig{Name: "bn", Axis: 3}, c)
	if err != nil {
		t.Fatal(err)
	}
	fillRand(rng, bn.Gamma, 0.5, 2)
	fillRand(rng, bn.Beta, -1, 1)
	fillRand(rng, bn.MovingMean, -1, 1)
	fillRand(rng, bn.MovingVariance, 0.1, 2)
	return bn
}

func cloneBN(bn *BatchNormalization) *BatchNormalization {
	c := *bn
	for _, p := range []**Param{&c.Gamma, &c.Beta, &c.MovingMean, &c.MovingVariance} {
		q := **p
		q.Value = slices.Clone(q.Value)
		*p = &q
	}
	return &c
}

// TestBatchNormTraining compares the Training-mode pass (batch statistics
// and moving-average update) with the reference, and checks the update
// against Keras's formula by hand.
func TestBatchNormTraining(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for _, batch := range []int{1, 3} {
		fast := newTestBN(t, rng, 6)
		ref := cloneBN(fast)
		before := slices.Clone(fast.MovingVariance.Value)
		beforeMean := slices.Clone(fast.MovingMean.Value)
		x := randTensor(rng, batch, 5, 7, 6)
		for i := range x.Data {
			x.Data[i] = 3 + 2*x.Data[i] // a mean far from zero
		}
		got, want := NewTensor(x.Shape...), NewTensor(x.Shape...)
		if err := fast.Forward(got, []*Tensor{x}, Training); err != nil {
			t.Fatal(err)
		}
		if err := ref.ForwardRef(want, []*Tensor{x}, Training); err != nil {
			t.Fatal(err)
		}
		n := batch * 5 * 7
		assertClose(t, "output", got.Data, want.Data, 2*n)
		assertClose(t, "batch mean", fast.BatchMean, ref.BatchMean, n)
		assertClose(t, "batch variance", fast.BatchVar, ref.BatchVar, n)
		assertClose(t, "moving mean", fast.MovingMean.Value, ref.MovingMean.Value, n)
		assertClose(t, "moving variance", fast.MovingVariance.Value, ref.MovingVariance.Value, n)
		for c := range 6 {
			var mean, ss float64
			for p := 0; p < n; p++ {
				mean += float64(x.Data[p*6+c])
			}
			mean /= float64(n)
			for p := 0; p < n; p++ {
				d := float64(x.Data[p*6+c]) - mean
				ss += d * d
			}
			wantMean := 0.99*float64(beforeMean[c]) + 0.01*mean
			wantVar := 0.99*float64(before[c]) + 0.01*ss/float64(n-1)
			assertClose(t, "moving mean by hand", fast.MovingMean.Value[c:c+1], []float32{float32(wantMean)}, n)
			assertClose(t, "moving variance by hand", fast.MovingVariance.Value[c:c+1], []float32{float32(wantVar)}, n)
		}
		// The normalised batch has mean beta and standard deviation close
		// to gamma (epsilon shrinks it slightly).
		for c := range 6 {
			var m float64
			for p := 0; p < n; p++ {
				m += float64(got.Data[p*6+c])
			}
			if d := m/float64(n) - float64(fast.Beta.Value[c]); d > 1e-4 || d < -1e-4 {
				t.Errorf("channel %d: mean after normalising is beta%+v", c, d)
			}
		}
	}
}

func TestBatchNormInferenceLeavesStateAlone(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	bn := newTestBN(t, rng, 4)
	mean, variance := slices.Clone(bn.MovingMean.Value), slices.Clone(bn.MovingVariance.Value)
	x := randTensor(rng, 2, 3, 3, 4)
	if _, err := Apply(bn, Inference, x); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(mean, bn.MovingMean.Value) || !slices.Equal(variance, bn.MovingVariance.Value) || bn.BatchMean != nil {
		t.Error("an Inference pass changed the layer")
	}
}

// TestBatchNormInferenceAffine checks the folded scale and shift against
// the reference normalisation of a constant input per channel.
func TestBatchNormInferenceAffine(t *testing.T) {
	rng := rand.New(rand.NewPCG(25, 26))
	bn := newTestBN(t, rng, 5)
	scale, shift := make([]float32, 5), make([]float32, 5)
	if err := bn.InferenceAffine(scale, shift); err != nil {
		t.Fatal(err)
	}
	x := randTensor(rng, 1, 1, 1, 5)
	want := NewTensor(1, 1, 1, 5)
	if err := bn.ForwardRef(want, []*Tensor{x}, Inference); err != nil {
		t.Fatal(err)
	}
	got := make([]float32, 5)
	for i, v := range x.Data {
		got[i] = v*scale[i] + shift[i]
	}
	assertClose(t, "x·scale+shift", got, want.Data, 4)
	if bn.InferenceAffine(scale[:4], shift) == nil {
		t.Error("InferenceAffine accepted a short scale")
	}
}
