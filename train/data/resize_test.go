package data

import (
	"slices"
	"testing"
)

func TestResizeHalvesByAveraging(t *testing.T) {
	// 4×4×1 → 2×2×1: each output is the mean of a 2×2 block.
	src := []float32{
		0, 2, 10, 20,
		4, 6, 30, 40,
		1, 1, 5, 5,
		1, 1, 5, 9,
	}
	dst := make([]float32, 4)
	resizeBilinear(dst, 2, 2, src, 4, 4, 1)
	if want := []float32{3, 25, 1, 6}; !slices.Equal(dst, want) {
		t.Errorf("halved = %v, want %v", dst, want)
	}
}

func TestResizeKeepsConstantsAndCorners(t *testing.T) {
	// Enlarging 2×2 → 5×3 (odd sizes) keeps a constant channel constant
	// and reaches the source extremes at the edges.
	src := []float32{0, 7, 100, 7, 0, 7, 100, 7} // channels: ramp, constant 7
	dst := make([]float32, 5*3*2)
	resizeBilinear(dst, 5, 3, src, 2, 2, 2)
	for p := range 15 {
		if dst[p*2+1] != 7 {
			t.Fatalf("constant channel at pixel %d = %g", p, dst[p*2+1])
		}
	}
	if dst[0] != 0 || dst[2*2] != 100 {
		t.Errorf("row 0 = %v, want 0 … 100", dst[:6])
	}
}

func TestDatasetResized(t *testing.T) {
	d := ramp(2)
	r := d.Resized(3, 5)
	if r.Shape() != [3]int{3, 5, 1} || len(r.Pixels) != 2*15 || r.Pixels[15] != 1 {
		t.Errorf("Resized: shape %v, %d pixels, image 1 starts with %d", r.Shape(), len(r.Pixels), r.Pixels[15])
	}
	f := d.Scaled().Resized(1, 1)
	if len(f.Floats) != 2 || f.Floats[1] != 1.0/255 {
		t.Errorf("float Resized: %v", f.Floats)
	}
}
