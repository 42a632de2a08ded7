package data

import (
	"slices"
	"testing"
)

func TestDatasetResized(t *testing.T) {
	// Halving a 4×4×1 image averages each 2×2 block; a constant image
	// stays constant at any size.
	d := &Dataset{Height: 4, Width: 4, Channels: 1, MaxValue: 255, Classes: []string{"a"}, Labels: []int{0, 0},
		Pixels: []uint8{
			0, 2, 10, 20,
			4, 6, 30, 40,
			1, 1, 5, 5,
			1, 1, 5, 9,
			7, 7, 7, 7,
			7, 7, 7, 7,
			7, 7, 7, 7,
			7, 7, 7, 7,
		}}
	half := d.Resized(2, 2)
	if want := []uint8{3, 25, 1, 6, 7, 7, 7, 7}; !slices.Equal(half.Pixels, want) {
		t.Errorf("halved = %v, want %v", half.Pixels, want)
	}
	odd := d.Resized(3, 5)
	if odd.Shape() != [3]int{3, 5, 1} || len(odd.Pixels) != 2*15 || slices.ContainsFunc(odd.Pixels[15:], func(p uint8) bool { return p != 7 }) {
		t.Errorf("Resized(3, 5): shape %v, pixels %v", odd.Shape(), odd.Pixels)
	}
	f := d.Scaled().Resized(1, 1)
	if len(f.Floats) != 2 || f.Floats[1] != 7.0/255 || f.Pixels != nil {
		t.Errorf("float Resized: %v", f.Floats)
	}
	same := d.Resized(4, 4)
	if !slices.Equal(same.Pixels, d.Pixels) || &same.Pixels[0] == &d.Pixels[0] {
		t.Error("Resized to the same size should copy")
	}
}
