package data

import "math"

// resizeBilinear resamples an h×w×c image (row-major, channels last) to
// oh×ow×c with bilinear interpolation on pixel centres (TensorFlow's
// half_pixel_centers, PIL's BILINEAR when enlarging), clamping at the
// edges. Halving a size averages each 2×2 block exactly.
func resizeBilinear(dst []float32, oh, ow int, src []float32, h, w, c int) {
	xs := axisWeights(ow, w)
	for oy, ry := range axisWeights(oh, h) {
		row0, row1 := src[ry.i0*w*c:], src[ry.i1*w*c:]
		out := dst[oy*ow*c:]
		for ox, rx := range xs {
			for ch := 0; ch < c; ch++ {
				out[ox*c+ch] = lerp(lerp(row0[rx.i0*c+ch], row0[rx.i1*c+ch], rx.f),
					lerp(row1[rx.i0*c+ch], row1[rx.i1*c+ch], rx.f), ry.f)
			}
		}
	}
}

// lerp interpolates from a to b; written as a+(b-a)·f so that equal
// neighbours give exactly their value.
func lerp(a, b, f float32) float32 { return a + (b-a)*f }

// tap is where one output coordinate samples the input: between i0 and
// i1 with weight f on i1.
type tap struct {
	i0, i1 int
	f      float32
}

// axisWeights computes the taps of an axis resized from n to m samples.
func axisWeights(m, n int) []tap {
	taps := make([]tap, m)
	scale := float64(n) / float64(m)
	for o := range taps {
		s := (float64(o)+0.5)*scale - 0.5
		s = min(max(s, 0), float64(n-1))
		i0 := int(math.Floor(s))
		taps[o] = tap{i0: i0, i1: min(i0+1, n-1), f: float32(s - float64(i0))}
	}
	return taps
}

// Resized returns a copy of d with every image resized (bilinear) to
// height×width; pixels are rounded back to uint8. A dataset already of
// that size is copied unchanged.
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
			resizeBilinear(out.Floats[i*on:(i+1)*on], height, width, src, d.Height, d.Width, d.Channels)
			continue
		}
		resizeBilinear(dst, height, width, src, d.Height, d.Width, d.Channels)
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
