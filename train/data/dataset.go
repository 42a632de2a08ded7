package data

import (
	"fmt"
	"slices"
)

// Dataset is a set of equally sized images with a class label each. Exactly
// one of Pixels and Floats holds the images, image i occupying
// [i*ImageLen(), (i+1)*ImageLen()) in height, width, channel order.
type Dataset struct {
	Height, Width, Channels int

	Pixels []uint8   // raw pixels, or nil
	Floats []float32 // float values, or nil

	// MaxValue is the value of a full-intensity pixel, 255 for Pixels and
	// 1 after Scaled. Augmentation clamps brightness changes to
	// [0, MaxValue]; 0 means the values have no upper bound.
	MaxValue float32

	Labels  []int    // the class of each image, an index into Classes
	Classes []string // class names, sorted as the loader documents
}

// Len is the number of images.
func (d *Dataset) Len() int { return len(d.Labels) }

// ImageLen is the number of values in one image.
func (d *Dataset) ImageLen() int { return d.Height * d.Width * d.Channels }

// Shape is the shape of one image: height, width, channels.
func (d *Dataset) Shape() [3]int { return [3]int{d.Height, d.Width, d.Channels} }

// Validate checks that the images, labels and classes agree.
func (d *Dataset) Validate() error {
	if d.Height < 1 || d.Width < 1 || d.Channels < 1 {
		return fmt.Errorf("data: image shape %v must be positive", d.Shape())
	}
	if (d.Pixels == nil) == (d.Floats == nil) {
		return fmt.Errorf("data: a dataset holds either Pixels or Floats (have %d pixels, %d floats)", len(d.Pixels), len(d.Floats))
	}
	if n := len(d.Pixels) + len(d.Floats); n != d.Len()*d.ImageLen() {
		return fmt.Errorf("data: %d values for %d labels of %v images, want %d", n, d.Len(), d.Shape(), d.Len()*d.ImageLen())
	}
	for i, l := range d.Labels {
		if l < 0 || l >= len(d.Classes) {
			return fmt.Errorf("data: image %d has label %d, outside the %d classes %v", i, l, len(d.Classes), d.Classes)
		}
	}
	return nil
}

// Image writes image i as float32 values into dst, which must hold
// ImageLen values.
func (d *Dataset) Image(i int, dst []float32) {
	n := d.ImageLen()
	if d.Floats != nil {
		copy(dst[:n], d.Floats[i*n:(i+1)*n])
		return
	}
	for j, p := range d.Pixels[i*n : (i+1)*n] {
		dst[j] = float32(p)
	}
}

// Scaled returns a copy with float values: pixels divided by 255 (so in
// [0, 1]), as the tutorial's X_train_orig/255. A float dataset is copied
// unchanged.
func (d *Dataset) Scaled() *Dataset {
	s := d.withImages(nil, nil)
	if d.Floats != nil {
		s.Floats = slices.Clone(d.Floats)
		return s
	}
	s.Floats = make([]float32, len(d.Pixels))
	for i, p := range d.Pixels {
		s.Floats[i] = float32(p) / 255
	}
	s.MaxValue = 1
	return s
}

// Subset returns the images at the given indices, in that order, as a new
// dataset that shares nothing with d.
func (d *Dataset) Subset(indices []int) *Dataset {
	s := d.withImages(nil, nil)
	n := d.ImageLen()
	s.Labels = make([]int, len(indices))
	if d.Pixels != nil {
		s.Pixels = make([]uint8, 0, len(indices)*n)
	} else {
		s.Floats = make([]float32, 0, len(indices)*n)
	}
	for k, i := range indices {
		s.Labels[k] = d.Labels[i]
		if d.Pixels != nil {
			s.Pixels = append(s.Pixels, d.Pixels[i*n:(i+1)*n]...)
		} else {
			s.Floats = append(s.Floats, d.Floats[i*n:(i+1)*n]...)
		}
	}
	return s
}

// ClassCounts returns how many images each class has, indexed by label.
func (d *Dataset) ClassCounts() []int {
	counts := make([]int, len(d.Classes))
	for _, l := range d.Labels {
		counts[l]++
	}
	return counts
}

// withImages copies d's description (shape, labels, classes) around new
// image storage.
func (d *Dataset) withImages(pixels []uint8, floats []float32) *Dataset {
	return &Dataset{
		Height: d.Height, Width: d.Width, Channels: d.Channels,
		Pixels: pixels, Floats: floats, MaxValue: d.MaxValue,
		Labels: slices.Clone(d.Labels), Classes: slices.Clone(d.Classes),
	}
}
