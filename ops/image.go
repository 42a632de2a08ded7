package ops

import (
	"fmt"
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
	for y := 0; y < h; y++ {
		y0, y1, fy := sample(y, h, sh)
		for x := 0; x < w; x++ {
			x0, x1, fx := sample(x, w, sw)
			for c := 0; c < 3; c++ {
				top := src[(y0*sw+x0)*3+c]*(1-fx) + src[(y0*sw+x1)*3+c]*fx
				bot := src[(y1*sw+x0)*3+c]*(1-fx) + src[(y1*sw+x1)*3+c]*fx
				dst[(y*w+x)*3+c] = top*(1-fy) + bot*fy
			}
		}
	}
}

// sample maps output index i of n onto the two source indices of m around
// its centre and the weight of the second.
func sample(i, n, m int) (i0, i1 int, f float32) {
	pos := (float32(i)+0.5)*float32(m)/float32(n) - 0.5
	if pos < 0 {
		pos = 0
	}
	i0 = int(pos)
	if i0 >= m-1 {
		return m - 1, m - 1, 0
	}
	return i0, i0 + 1, pos - float32(i0)
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

// Predict runs the plan on one image of any size (resized bilinearly to the
// plan's input and scaled by 1/255) and returns the output row: for a
// classifier, the class probabilities. The plan's input must be H×W×3.
func (p *Plan) Predict(img image.Image) ([]float32, error) {
	if len(p.in) != 3 || p.in[2] != 3 {
		return nil, fmt.Errorf("plan %s: Predict needs an H×W×3 input, this plan takes %v", p.name, p.in)
	}
	if b := img.Bounds(); b.Empty() {
		return nil, fmt.Errorf("plan %s: Predict: the image is empty (%v)", p.name, b)
	}
	x := NewTensor(1, p.in[0], p.in[1], 3)
	ImagePixels(x.Data, img, p.in[0], p.in[1])
	out := NewTensor(append([]int{1}, p.out...)...)
	if err := p.Run(out, x); err != nil {
		return nil, err
	}
	return out.Data, nil
}
