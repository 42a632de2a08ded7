package ops

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"testing"
)

// refWeight is the weight of input i in output o of an axis resized from
// n samples to m, from the definitions in float64: the fraction of output
// o's footprint that input i covers when shrinking, the tent of bilinear
// interpolation on clamped pixel centres when growing.
func refWeight(o, i, m, n int) float64 {
	switch {
	case m == n:
		if o == i {
			return 1
		}
		return 0
	case m < n:
		scale := float64(n) / float64(m)
		lo, hi := float64(o)*scale, float64(o+1)*scale
		return max(0, min(hi, float64(i+1))-max(lo, float64(i))) / scale
	default:
		s := (float64(o)+0.5)*float64(n)/float64(m) - 0.5
		s = min(max(s, 0), float64(n-1))
		return max(0, 1-math.Abs(s-float64(i)))
	}
}

// refResize resizes an h×w×c float64 image to oh×ow×c by the definition,
// summing every input sample with its two axis weights.
func refResize(src []float64, h, w, c, oh, ow int) []float64 {
	out := make([]float64, oh*ow*c)
	for oy := range oh {
		for ox := range ow {
			for y := range h {
				wy := refWeight(oy, y, oh, h)
				if wy == 0 {
					continue
				}
				for x := range w {
					wx := refWeight(ox, x, ow, w)
					for ch := range c {
						out[(oy*ow+ox)*c+ch] += wy * wx * src[(y*w+x)*c+ch]
					}
				}
			}
		}
	}
	return out
}

func TestResizeMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 11))
	sizes := [][2]int{{1, 1}, {2, 2}, {3, 7}, {7, 3}, {5, 5}, {13, 11}, {60, 4}, {4, 61}, {64, 64}}
	for _, in := range sizes {
		for _, out := range sizes {
			for _, c := range []int{1, 3, 4} {
				h, w, oh, ow := in[0], in[1], out[0], out[1]
				src := make([]float32, h*w*c)
				src64 := make([]float64, len(src))
				for i := range src {
					src[i] = rng.Float32()
					src64[i] = float64(src[i])
				}
				dst := make([]float32, oh*ow*c+1)
				dst[len(dst)-1] = 42 // guard
				Resize(dst[:oh*ow*c], oh, ow, src, h, w, c)
				want := refResize(src64, h, w, c, oh, ow)
				for i, v := range want {
					if math.Abs(float64(dst[i])-v) > 1e-5 {
						t.Fatalf("%dx%dx%d → %dx%d: value %d = %v, want %v", h, w, c, oh, ow, i, dst[i], v)
					}
				}
				if dst[len(dst)-1] != 42 {
					t.Fatalf("%dx%dx%d → %dx%d wrote past its output", h, w, c, oh, ow)
				}
			}
		}
	}
}

// checkerboard is a w×h grey image of alternating black and white pixels,
// the finest detail an image can hold.
func checkerboard(w, h int) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Pix[y*img.Stride+x] = uint8(255 * ((x + y) & 1))
		}
	}
	return img
}

// TestImagePixelsDoesNotAlias shrinks a 1-pixel checkerboard of photo size
// 60× (and by a ratio that is not whole): every output pixel must be the
// board's mean, mid-grey, where two-tap bilinear gives black or white.
func TestImagePixelsDoesNotAlias(t *testing.T) {
	for _, c := range []struct{ w, h, ow, oh int }{{3840, 2880, 64, 48}, {4000, 3000, 64, 64}} {
		img := checkerboard(c.w, c.h)
		dst := make([]float32, c.oh*c.ow*3)
		ImagePixels(dst, img, c.oh, c.ow)
		// A footprint of a×b pixels holds half white to within one row
		// and one column of partly covered pixels.
		fx, fy := float64(c.w)/float64(c.ow), float64(c.h)/float64(c.oh)
		tol := 1e-4
		if c.w%c.ow != 0 || c.h%c.oh != 0 {
			tol = 0.5 * (1/fx + 1/fy)
		}
		for i, v := range dst {
			if math.Abs(float64(v)-0.5) > tol {
				t.Fatalf("%dx%d → %dx%d: value %d = %v, want 0.5 ± %.3g", c.w, c.h, c.ow, c.oh, i, v, tol)
			}
		}
	}
}

// hidden hides an image's concrete type, so ImagePixels reads it through At.
type hidden struct{ image.Image }

// ycbcrRGB is a YCbCr image whose At converts to 8-bit RGB with
// color.YCbCrToRGB, as the reader of JPEG photos does (YCbCr.At keeps
// 16 bits).
type ycbcrRGB struct{ *image.YCbCr }

func (m ycbcrRGB) At(x, y int) color.Color {
	c := m.YCbCrAt(x, y)
	r, g, b := color.YCbCrToRGB(c.Y, c.Cb, c.Cr)
	return color.RGBA{r, g, b, 255}
}

// TestImagePixelsFastPaths checks every image type read from its pixel
// array against the same image read pixel by pixel through At, on
// sub-images with odd offsets so strides and chroma offsets matter.
func TestImagePixelsFastPaths(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	fill := func(b []uint8) {
		for i := range b {
			b[i] = uint8(rng.Uint32())
		}
	}
	r := image.Rect(-3, 5, 38, 30)
	sub := image.Rect(-1, 6, 32, 29) // odd offset and size, also moved to x = 3
	var cases []struct {
		name     string
		img, ref image.Image
	}
	add := func(name string, img, ref image.Image) {
		cases = append(cases, struct {
			name     string
			img, ref image.Image
		}{name, img, ref})
	}
	for _, ratio := range []image.YCbCrSubsampleRatio{image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio422,
		image.YCbCrSubsampleRatio420, image.YCbCrSubsampleRatio440, image.YCbCrSubsampleRatio411, image.YCbCrSubsampleRatio410} {
		im := image.NewYCbCr(r, ratio)
		fill(im.Y)
		fill(im.Cb)
		fill(im.Cr)
		for _, s := range []*image.YCbCr{im.SubImage(sub).(*image.YCbCr), im.SubImage(sub.Add(image.Pt(4, 0))).(*image.YCbCr), im} {
			add(fmt.Sprintf("%v at %v", ratio, s.Rect), s, ycbcrRGB{s})
		}
	}
	rgba, nrgba, gray := image.NewRGBA(r), image.NewNRGBA(r), image.NewGray(r)
	fill(rgba.Pix)
	for i := 0; i < len(rgba.Pix); i += 4 { // valid premultiplied colours
		a := rgba.Pix[i+3]
		rgba.Pix[i], rgba.Pix[i+1], rgba.Pix[i+2] = min(rgba.Pix[i], a), min(rgba.Pix[i+1], a), min(rgba.Pix[i+2], a)
	}
	fill(nrgba.Pix)
	for i := 3; i < len(nrgba.Pix); i += 8 {
		nrgba.Pix[i] = 255 // half the pixels opaque
	}
	fill(gray.Pix)
	for _, im := range []interface {
		image.Image
		SubImage(image.Rectangle) image.Image
	}{rgba, nrgba, gray} {
		s := im.SubImage(sub)
		add(fmt.Sprintf("%T", s), s, hidden{s})
	}
	for _, c := range cases {
		for _, size := range [][2]int{{23, 33}, {7, 5}, {40, 50}} {
			got := make([]float32, size[0]*size[1]*3)
			want := make([]float32, len(got))
			ImagePixels(got, c.img, size[0], size[1])
			ImagePixels(want, c.ref, size[0], size[1])
			for i := range got {
				if math.Abs(float64(got[i]-want[i])) > 1e-6 {
					t.Fatalf("%s → %v: value %d = %v, read through At %v", c.name, size, i, got[i], want[i])
				}
			}
		}
	}
}

// TestYCbCrConversion checks the fast path's conversion against
// color.YCbCrToRGB on every input.
func TestYCbCrConversion(t *testing.T) {
	for cb := range 256 {
		for cr := range 256 {
			rc, gc, bc := chromaTerms(uint8(cb), uint8(cr))
			for y := range 256 {
				yy := int32(y) * 0x10101
				r, g, b := color.YCbCrToRGB(uint8(y), uint8(cb), uint8(cr))
				if clamp8(yy+rc) != r || clamp8(yy+gc) != g || clamp8(yy+bc) != b {
					t.Fatalf("YCbCr(%d, %d, %d) = %d %d %d, want %d %d %d", y, cb, cr,
						clamp8(yy+rc), clamp8(yy+gc), clamp8(yy+bc), r, g, b)
				}
			}
		}
	}
}

// TestImagePixelsAllocations: in steady state the image-to-tensor path
// (ImagePixels, ImageInput) and Resize allocate nothing, whatever the
// image's size.
func TestImagePixelsAllocations(t *testing.T) {
	if testing.CoverMode() != "" || raceEnabled {
		t.Skip("instrumentation allocates; sync.Pool drops items under -race")
	}
	photo := image.NewYCbCr(image.Rect(0, 0, 400, 300), image.YCbCrSubsampleRatio420)
	dst := make([]float32, 64*64*3)
	if n := testing.AllocsPerRun(20, func() { ImagePixels(dst, photo, 64, 64) }); n != 0 {
		t.Errorf("ImagePixels allocates %v objects per call", n)
	}
	src := make([]float32, 30*40*3)
	if n := testing.AllocsPerRun(20, func() { Resize(dst, 64, 64, src, 30, 40, 3) }); n != 0 {
		t.Errorf("Resize allocates %v objects per call", n)
	}
	if n := testing.AllocsPerRun(20, func() { PutImageInput(ImageInput(photo, 32, 24)) }); n != 0 {
		t.Errorf("ImageInput allocates %v objects per call", n)
	}
	x := ImageInput(photo, 7, 5)
	if !x.Shape.Equal(Shape{1, 7, 5, 3}) || len(x.Data) != 7*5*3 {
		t.Errorf("ImageInput(7, 5) is %v with %d values", x.Shape, len(x.Data))
	}
}

// BenchmarkImagePixels12MP is the preprocessing of a 4000×3000 photo as
// JPEG decodes it (YCbCr 4:2:0) for a 64×64×3 model input, and the same
// through the generic At path.
func BenchmarkImagePixels12MP(b *testing.B) {
	// Smooth gradients with a little noise, as in a photo: colours stay
	// mostly inside the RGB cube.
	photo := image.NewYCbCr(image.Rect(0, 0, 4000, 3000), image.YCbCrSubsampleRatio420)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range photo.Y {
		x, y := i%4000, i/4000
		photo.Y[i] = uint8(40 + (x+y)/40 + rng.IntN(8))
	}
	for i := range photo.Cb {
		x, y := i%photo.CStride, i/photo.CStride
		photo.Cb[i], photo.Cr[i] = uint8(100+x/40), uint8(110+y/30)
	}
	dst := make([]float32, 64*64*3)
	for _, c := range []struct {
		name string
		img  image.Image
	}{{"ycbcr", photo}, {"generic", hidden{photo}}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				ImagePixels(dst, c.img, 64, 64)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/1e6/float64(b.N), "ms/img")
			b.ReportMetric(0, "ns/op")
		})
	}
}
