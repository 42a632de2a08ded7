package ops

import (
	"image"
	"image/color"
	"math"
	"testing"
)

func TestImagePixelsSameSize(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 3, 2))
	img.Set(2, 1, color.NRGBA{R: 255, G: 51, B: 0, A: 255})
	dst := make([]float32, 3*2*3)
	ImagePixels(dst, img, 2, 3)
	o := (1*3 + 2) * 3
	if dst[o] != 1 || math.Abs(float64(dst[o+1])-0.2) > 1e-6 || dst[o+2] != 0 || dst[0] != 0 {
		t.Fatalf("pixel (2,1) = %v, want [1 0.2 0]", dst[o:o+3])
	}
}

// TestImagePixelsResize: halving a 4×4 image averages each 2×2 block, as
// area averaging and centre-sampled bilinear both must; a constant image
// stays constant at any size; and every image type reads alike.
func TestImagePixelsResize(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 4, 4))
	for y := 0; y < 4; y++ {
		for x := 0; x < 4; x++ {
			img.SetGray(x, y, color.Gray{Y: uint8(40 * (y*4 + x) / 3)})
		}
	}
	dst := make([]float32, 2*2*3)
	ImagePixels(dst, img, 2, 2)
	for y := 0; y < 2; y++ {
		for x := 0; x < 2; x++ {
			var want float64
			for dy := 0; dy < 2; dy++ {
				for dx := 0; dx < 2; dx++ {
					want += float64(img.GrayAt(2*x+dx, 2*y+dy).Y) / 255 / 4
				}
			}
			if got := dst[(y*2+x)*3]; math.Abs(float64(got)-want) > 1e-3 {
				t.Errorf("(%d,%d) = %v, want %v", x, y, got, want)
			}
		}
	}
	flat := image.NewRGBA(image.Rect(5, 5, 12, 9))
	for i := 0; i < len(flat.Pix); i += 4 {
		flat.Pix[i], flat.Pix[i+1], flat.Pix[i+2], flat.Pix[i+3] = 10, 20, 30, 255
	}
	big := make([]float32, 13*17*3)
	ImagePixels(big, flat, 13, 17)
	for i := 0; i < len(big); i += 3 {
		if math.Abs(float64(big[i])-10.0/255) > 1e-6 || math.Abs(float64(big[i+2])-30.0/255) > 1e-6 {
			t.Fatalf("constant image resized to %v at %d", big[i:i+3], i)
		}
	}
}
