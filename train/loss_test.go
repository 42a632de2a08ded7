package train

import (
	"math"
	"testing"
)

// logSoftmax64 is the definition in float64, for reference.
func logSoftmax64(z []float64) []float64 {
	m := math.Inf(-1)
	for _, v := range z {
		m = math.Max(m, v)
	}
	var s float64
	for _, v := range z {
		s += math.Exp(v - m)
	}
	out := make([]float64, len(z))
	for i, v := range z {
		out[i] = v - m - math.Log(s)
	}
	return out
}

func TestSoftmaxCrossEntropyHugeLogits(t *testing.T) {
	const classes = 4
	logits := []float32{
		1e4, -1e4, 0, 5e3, // label 0: loss ≈ 0
		1e4, -1e4, 0, 9999, // label 3: loss ≈ 1 + log(1+e^-1)
		-1e4, -1e4, -1e4, -1e4, // all equal: log 4
		3, 1, -2, 0.5,
	}
	labels := []int{0, 3, 2, 1}
	probs := make([]float32, len(logits))
	grad := make([]float32, len(logits))
	loss, correct, err := softmaxCrossEntropy(logits, classes, labels, probs, grad)
	if err != nil {
		t.Fatal(err)
	}
	var want float64
	for r, y := range labels {
		z := make([]float64, classes)
		for i := range z {
			z[i] = float64(logits[r*classes+i])
		}
		ls := logSoftmax64(z)
		want -= ls[y]
		for i := range z {
			p := math.Exp(ls[i])
			if d := math.Abs(float64(probs[r*classes+i]) - p); d > 1e-6 {
				t.Errorf("row %d: p[%d] = %v, want %v", r, i, probs[r*classes+i], p)
			}
			g := p
			if i == y {
				g--
			}
			g /= float64(len(labels))
			if d := math.Abs(float64(grad[r*classes+i]) - g); d > 1e-7 {
				t.Errorf("row %d: grad[%d] = %v, want %v", r, i, grad[r*classes+i], g)
			}
		}
	}
	if math.IsNaN(loss) || math.IsInf(loss, 0) || math.Abs(loss-want) > 1e-9*math.Max(1, want) {
		t.Errorf("loss = %v, want %v", loss, want)
	}
	// Row 2 ties: the first maximum counts, so label 2 is wrong; rows 0 and
	// 3 are right... row 3's label 1 is not its maximum.
	if correct != 1 {
		t.Errorf("correct = %d, want 1 (row 0 only)", correct)
	}
}

func TestSoftmaxRowsStable(t *testing.T) {
	logits := []float32{1e4, 1e4 - 1, -1e4, 88, 89, 90}
	p := make([]float32, len(logits))
	softmaxRows(p, logits, 3)
	for r := 0; r < 2; r++ {
		var s float64
		for _, v := range p[r*3 : r*3+3] {
			if math.IsNaN(float64(v)) {
				t.Fatalf("NaN probability in row %d: %v", r, p)
			}
			s += float64(v)
		}
		if math.Abs(s-1) > 1e-6 {
			t.Errorf("row %d sums to %v", r, s)
		}
	}
	if want := 1 / (1 + math.Exp(-1)); math.Abs(float64(p[0])-want) > 1e-6 {
		t.Errorf("p[0] = %v, want %v", p[0], want)
	}
}

func TestLabelsChecked(t *testing.T) {
	p := make([]float32, 6)
	if _, _, err := softmaxCrossEntropy([]float32{1, 2, 3, 4, 5, 6}, 3, []int{0, 3}, p, nil); err == nil {
		t.Error("label 3 of 3 classes accepted")
	}
	if _, _, err := softmaxCrossEntropy([]float32{1, 2, 3, 4, 5, 6}, 3, []int{0}, p, nil); err == nil {
		t.Error("one label for two rows accepted")
	}
}
