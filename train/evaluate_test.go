package train

import (
	"testing"
)

// TestEvaluateConfusionMatchesPredict checks the confusion matrix that
// Evaluate counts from its one forward pass against the classes Predict
// gives, image by image.
func TestEvaluateConfusionMatchesPredict(t *testing.T) {
	tr := tinyModel(t, 1)
	d := tinyData(11, 3)
	e, err := Evaluate(tr, d, 4)
	if err != nil {
		t.Fatal(err)
	}
	x, labels := d.All()
	probs, err := tr.Predict(x)
	if err != nil {
		t.Fatal(err)
	}
	k := probs.Shape[1]
	want := make([][]int, k)
	for i := range want {
		want[i] = make([]int, k)
	}
	for i, l := range labels {
		best := 0
		for j := range k {
			if probs.Data[i*k+j] > probs.Data[i*k+best] {
				best = j
			}
		}
		want[l][best]++
	}
	for i := range want {
		for j := range want[i] {
			if e.Confusion[i][j] != want[i][j] {
				t.Fatalf("confusion %v, Predict's classes give %v", e.Confusion, want)
			}
		}
	}
}
