package data

import (
	"slices"
	"testing"
)

// ramp returns a uint8 dataset of n 2×2×1 images whose pixels are the
// image index, with label i%3.
func ramp(n int) *Dataset {
	d := &Dataset{Height: 2, Width: 2, Channels: 1, MaxValue: 255, Classes: []string{"a", "b", "c"}}
	for i := range n {
		d.Pixels = append(d.Pixels, uint8(i), uint8(i), uint8(i), uint8(i))
		d.Labels = append(d.Labels, i%3)
	}
	return d
}

func TestPermutationDeterministic(t *testing.T) {
	a, b := Permutation(50, 7, 3), Permutation(50, 7, 3)
	if !slices.Equal(a, b) {
		t.Fatal("same seed and epoch gave different orders")
	}
	if slices.Equal(a, Permutation(50, 7, 4)) || slices.Equal(a, Permutation(50, 8, 3)) {
		t.Error("another epoch or seed gave the same order")
	}
	sorted := slices.Clone(a)
	slices.Sort(sorted)
	if !slices.Equal(sorted, identity(50)) {
		t.Errorf("not a permutation: %v", a)
	}
}

func TestLoaderBatches(t *testing.T) {
	d := ramp(10)
	l := &Loader{Data: d, BatchSize: 4, Shuffle: true, Seed: 1}
	if l.NumBatches() != 3 {
		t.Fatalf("NumBatches = %d, want 3 (last one partial)", l.NumBatches())
	}
	var seen []int
	for b := range l.NumBatches() {
		x, labels, err := l.Batch(2, b)
		if err != nil {
			t.Fatal(err)
		}
		want := min(4, 10-4*b)
		if x.Shape[0] != want || len(labels) != want || x.Shape[1] != 2 || x.Shape[3] != 1 {
			t.Fatalf("batch %d: shape %v, %d labels; want %d images", b, x.Shape, len(labels), want)
		}
		for k := range want {
			i := int(x.Data[k*4]) // the image index, as ramp wrote it
			if labels[k] != i%3 {
				t.Errorf("batch %d item %d: image %d has label %d", b, k, i, labels[k])
			}
			seen = append(seen, i)
		}
	}
	if !slices.Equal(seen, Permutation(10, 1, 2)) {
		t.Errorf("epoch visited %v, want Permutation(10, 1, 2) = %v", seen, Permutation(10, 1, 2))
	}
	if _, _, err := l.Batch(2, 3); err == nil {
		t.Error("batch past the end: no error")
	}
	// Without shuffling, dataset order.
	l = &Loader{Data: d, BatchSize: 4}
	x, _, _ := l.Batch(5, 2)
	if x.Data[0] != 8 || x.Data[4] != 9 {
		t.Errorf("unshuffled last batch starts with images %g, %g; want 8, 9", x.Data[0], x.Data[4])
	}
}

func TestSplit(t *testing.T) {
	d := ramp(20)
	train, val, err := d.Split(0.25, 3)
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 15 || val.Len() != 5 {
		t.Fatalf("split 20 by 0.25: %d + %d", train.Len(), val.Len())
	}
	var all []int
	for _, s := range []*Dataset{train, val} {
		for i := range s.Len() {
			all = append(all, int(s.Pixels[i*4]))
		}
	}
	slices.Sort(all)
	if !slices.Equal(all, identity(20)) {
		t.Errorf("split lost or repeated images: %v", all)
	}
	again, _, _ := d.Split(0.25, 3)
	if !slices.Equal(again.Pixels, train.Pixels) {
		t.Error("same seed, different split")
	}
	for _, f := range []float64{0, 1, 0.01} {
		if _, _, err := d.Split(f, 3); err == nil {
			t.Errorf("fraction %g: no error", f)
		}
	}
}

func TestScaledAndOneHot(t *testing.T) {
	d := ramp(3)
	d.Pixels[0] = 255
	s := d.Scaled()
	if s.Pixels != nil || s.Floats[0] != 1 || s.Floats[4] != 1.0/255 || s.MaxValue != 1 {
		t.Errorf("Scaled: %v max %g", s.Floats[:5], s.MaxValue)
	}
	if d.Pixels[0] != 255 {
		t.Error("Scaled changed its receiver")
	}
	if err := s.Validate(); err != nil {
		t.Error(err)
	}
	oh, err := OneHot([]int{2, 0}, 3)
	if err != nil || !slices.Equal(oh.Data, []float32{0, 0, 1, 1, 0, 0}) {
		t.Errorf("OneHot = %v, %v", oh.Data, err)
	}
	if _, err := OneHot([]int{3}, 3); err == nil {
		t.Error("OneHot of label 3 of 3 classes: no error")
	}
}

func TestValidate(t *testing.T) {
	d := ramp(3)
	d.Labels[1] = 3
	if err := d.Validate(); err == nil {
		t.Error("label outside the classes: no error")
	}
	d = ramp(3)
	d.Pixels = d.Pixels[:5]
	if err := d.Validate(); err == nil {
		t.Error("short pixels: no error")
	}
}
