package ops

import (
	"image"
	"image/color"
)

// ImagePixels writes img into dst as an h×w×3 float32 RGB image scaled to
// [0, 1] (the tutorial's X/255), resizing it bilinearly when its size
// differs. Sampling uses pixel centres, as PIL and TensorFlow's
// half-pixel resize do, so a photo shrunk here matches one shrunk there.
// dst must hold h*w*3 values.
func ImagePixels(dst []float32, img image.Image, h, w int) {
	b := img.Bounds()
	sh, sw := b.Dy(), b.Dx()
	dst = dst[:h*w*3]
	if sh == h && sw == w {
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				r, g, bb := rgb(img, b.Min.X+x, b.Min.Y+y)
				o := (y*w + x) * 3
				dst[o], dst[o+1], dst[o+2] = r, g, bb
			}
		}
		return
	}
	// Read the source once: At through the interface is slow, and each
	// source pixel feeds up to four output pixels per axis.
	src := make([]float32, sh*sw*3)
	for y := 0; y < sh; y++ {
		for x := 0; x < sw; x++ {
			r, g, bb := rgb(img, b.Min.X+x, b.Min.Y+y)
			o := (y*sw + x) * 3
			src[o], src[o+1], src[o+2] = r, g, bb
		}
	}
	ResizeBilinear(dst, h, w, src, sh, sw, 3)
}

// ResizeBilinear resamples an h×w×c image (row-major, channels last) to
// oh×ow×c with bilinear interpolation on pixel centres (TensorFlow's
// half_pixel_centers, PIL's BILINEAR when enlarging), clamping at the edges.
// Halving a size averages each 2×2 block exactly.
func ResizeBilinear(dst []float32, oh, ow int, src []float32, h, w, c int) {
	xs := axisTaps(ow, w)
	for oy, ry := range axisTaps(oh, h) {
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

// tap is where one output coordinate samples the input: between i0 and i1
// with weight f on i1.
type tap struct {
	i0, i1 int
	f      float32
}

// axisTaps computes the taps of an axis resized from n to m samples.
func axisTaps(m, n int) []tap {
	taps := make([]tap, m)
	scale := float64(n) / float64(m)
	for o := range taps {
		s := (float64(o)+0.5)*scale - 0.5
		s = min(max(s, 0), float64(n-1))
		i0 := int(s)
		taps[o] = tap{i0: i0, i1: min(i0+1, n-1), f: float32(s - float64(i0))}
	}
	return taps
}

// rgb reads one pixel as 8-bit-scaled floats in [0, 1]. Alpha is ignored:
// the photos this library classifies are opaque.
func rgb(img image.Image, x, y int) (r, g, b float32) {
	switch im := img.(type) {
	case *image.NRGBA:
		o := im.PixOffset(x, y)
		return float32(im.Pix[o]) / 255, float32(im.Pix[o+1]) / 255, float32(im.Pix[o+2]) / 255
	case *image.RGBA:
		o := im.PixOffset(x, y)
		return float32(im.Pix[o]) / 255, float32(im.Pix[o+1]) / 255, float32(im.Pix[o+2]) / 255
	case *image.YCbCr:
		c := im.YCbCrAt(x, y)
		rr, gg, bb := color.YCbCrToRGB(c.Y, c.Cb, c.Cr)
		return float32(rr) / 255, float32(gg) / 255, float32(bb) / 255
	}
	rr, gg, bb, _ := img.At(x, y).RGBA()
	return float32(rr>>8) / 255, float32(gg>>8) / 255, float32(bb>>8) / 255
}
