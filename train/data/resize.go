package data

import "github.com/simdnet/simdnet/ops"

// Resized returns a copy of d with every image resized to height×width
// with ops.Resize, the resize prediction uses too (area averaging when
// shrinking, bilinear when enlarging); pixels are rounded back to uint8. A
// dataset already of that size is copied unchanged.
func (d *Dataset) Resized(height, width int) *Dataset {
	if height == d.Height && width == d.Width {
		return d.Subset(identity(d.Len()))
	}
	out := d.withImages(nil, nil)
	out.Height, out.Width = height, width
	in, on := d.ImageLen(), out.ImageLen()
	src, dst := make([]float32, in), make([]float32, on)
	if d.Pixels != nil {
		out.Pixels = make([]uint8, d.Len()*on)
	} else {
		out.Floats = make([]float32, d.Len()*on)
	}
	for i := range d.Len() {
		d.Image(i, src)
		if out.Floats != nil {
			ops.Resize(out.Floats[i*on:(i+1)*on], height, width, src, d.Height, d.Width, d.Channels)
			continue
		}
		ops.Resize(dst, height, width, src, d.Height, d.Width, d.Channels)
		toPixels(out.Pixels[i*on:(i+1)*on], dst)
	}
	return out
}

// toPixels rounds values to the nearest uint8, saturating.
func toPixels(dst []uint8, src []float32) {
	for i, v := range src {
		dst[i] = uint8(min(max(v+0.5, 0), 255))
	}
}

// identity returns 0, 1, ..., n-1.
func identity(n int) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return idx
}
