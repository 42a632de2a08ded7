package data

import (
	"slices"
	"testing"
)

// gradient returns an h×w×3 image with distinct values in [0, 1].
func gradient(h, w int) []float32 {
	img := make([]float32, h*w*3)
	for i := range img {
		img[i] = float32(i%97) / 96
	}
	return img
}

func TestAugmentDeterministicAndInRange(t *testing.T) {
	const h, w = 16, 12
	src := gradient(h, w)
	a, b := make([]float32, len(src)), make([]float32, len(src))
	DefaultAugmentation.Apply(a, src, h, w, 3, 1, AugmentRNG(5, 2, 17))
	DefaultAugmentation.Apply(b, src, h, w, 3, 1, AugmentRNG(5, 2, 17))
	if !slices.Equal(a, b) {
		t.Fatal("same (seed, epoch, index) gave different images")
	}
	for i, v := range a {
		if !(v >= 0 && v <= 1) {
			t.Fatalf("value %d = %g outside [0, 1]", i, v)
		}
	}
	if slices.Equal(a, src) {
		t.Error("augmentation left the image unchanged")
	}
	DefaultAugmentation.Apply(b, src, h, w, 3, 1, AugmentRNG(5, 3, 17))
	if slices.Equal(a, b) {
		t.Error("another epoch gave the same image")
	}
}

func TestAugmentShiftRepeatsEdges(t *testing.T) {
	// A 1×4 single-channel row shifted by whole pixels only.
	shift := Augmentation{MaxShift: 2}
	src := []float32{1, 2, 3, 4}
	dst := make([]float32, 4)
	for seed := range uint64(20) {
		rng := AugmentRNG(seed, 0, 0)
		dx := float64(rng.IntN(5) - 2) // the draw Apply will make
		shift.Apply(dst, src, 1, 4, 1, 0, AugmentRNG(seed, 0, 0))
		for x := range 4 {
			want := src[min(max(x-int(dx), 0), 3)]
			if dst[x] != want {
				t.Fatalf("shift %g: got %v, want edge-filled shift of %v", dx, dst, src)
			}
		}
	}
}

func TestZeroAugmentationIsIdentity(t *testing.T) {
	src := gradient(5, 7)
	dst := make([]float32, len(src))
	Augmentation{}.Apply(dst, src, 5, 7, 3, 1, AugmentRNG(0, 0, 0))
	if !slices.Equal(dst, src) {
		t.Error("zero Augmentation changed the image")
	}
}

func TestLoaderAugmentsReproducibly(t *testing.T) {
	d := ramp(6).Scaled()
	for i := range d.Floats {
		d.Floats[i] = float32(i%4) / 4 // some structure inside each image
	}
	l := &Loader{Data: d, BatchSize: 6, Shuffle: true, Seed: 9, Augment: &DefaultAugmentation}
	x1, _, _ := l.Batch(1, 0)
	x2, _, _ := (&Loader{Data: d, BatchSize: 6, Shuffle: true, Seed: 9, Augment: &DefaultAugmentation}).Batch(1, 0)
	if !slices.Equal(x1.Data, x2.Data) || !slices.Equal(x1.Shape, []int{6, 2, 2, 1}) {
		t.Errorf("augmented batches differ or have shape %v", x1.Shape)
	}
	plain, _, _ := (&Loader{Data: d, BatchSize: 6, Shuffle: true, Seed: 9}).Batch(1, 0)
	if slices.Equal(plain.Data, x1.Data) {
		t.Error("Augment had no effect on the batch")
	}
}
