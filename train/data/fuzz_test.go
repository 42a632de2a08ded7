package data

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// fuzzLimits keep each fuzzed input's allocations small.
var fuzzLimits = Limits{MaxBytes: 1 << 22, MaxClasses: 1 << 10, MaxImagePixels: 1 << 18}

// FuzzLoadH5 feeds arbitrary bytes to the HDF5 loader. It must never
// panic or allocate beyond its limits; every failure is an error naming
// the file; every accepted file is a valid data set.
func FuzzLoadH5(f *testing.F) {
	for _, seed := range h5Seeds() {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := readH5(bytes.NewReader(data), int64(len(data)), "fuzz.h5", fuzzLimits)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "data: ") || !strings.Contains(err.Error(), "fuzz.h5") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		if err := d.Validate(); err != nil {
			t.Fatalf("accepted an invalid data set: %v", err)
		}
		if n := len(d.Pixels) + 4*len(d.Floats); int64(n) > fuzzLimits.MaxBytes || len(d.Classes) > fuzzLimits.MaxClasses {
			t.Fatalf("%d bytes of images and %d classes, beyond the limits", n, len(d.Classes))
		}
	})
}

// FuzzReadImage feeds arbitrary bytes to the image decoding an image
// folder's files go through, then resizes what it accepts. It must never
// panic; an accepted image is within the pixel limit and resizes to
// pixels of one constant image staying that constant.
func FuzzReadImage(f *testing.F) {
	for _, seed := range imageSeeds(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := &imageReader{maxPixels: fuzzLimits.MaxImagePixels}
		img, err := r.decode(bytes.NewReader(data), "fuzz")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "data: fuzz: ") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		b := img.Bounds()
		if b.Empty() || b.Dx()*b.Dy() > fuzzLimits.MaxImagePixels {
			t.Fatalf("accepted a %v image with a limit of %d pixels", b, fuzzLimits.MaxImagePixels)
		}
		for _, size := range [][2]int{{1, 1}, {5, 3}, {2 * b.Dy(), 2 * b.Dx()}} {
			if size[0]*size[1] > 1<<16 {
				continue
			}
			dst := make([]uint8, size[0]*size[1]*3)
			r.pixels(dst, img, size[0], size[1])
		}
	})
}

// h5Seeds are the HDF5 fuzz seeds: valid files and the hostile ones the
// tests build.
func h5Seeds() [][]byte {
	sets := [][]h5Set{
		signsLike([]int64{0, 2, 1}, []int64{0, 1, 2}),
		signsLike([]int64{1, 0}, nil),
		floatLabels(0, 1, 1),
		billionImages(),
		signsLike([]int64{0, 1e12}, nil),
		{
			{"test_set_x", []uint64{2, 1, 2, 1}, h5Float32, make([]byte, 16)},
			{"test_set_y", []uint64{1, 2}, h5Int64, int64s(5, 7)},
			{"list_classes", []uint64{2}, h5Int64, int64s(7, 5)},
		},
	}
	var out [][]byte
	for _, s := range sets {
		out = append(out, writeH5(s))
	}
	return out
}

// imageSeeds are the image fuzz seeds: small JPEGs and PNGs of the colour
// models decoders return, and headers declaring huge sizes.
func imageSeeds(t testing.TB) [][]byte {
	gray := image.NewGray(image.Rect(0, 0, 3, 2))
	gray.SetGray(1, 1, color.Gray{200})
	paletted := image.NewPaletted(image.Rect(0, 0, 2, 2), color.Palette{color.Black, color.RGBA{255, 0, 0, 128}})
	paletted.SetColorIndex(1, 0, 1)
	var seeds [][]byte
	for _, img := range []image.Image{gray, paletted} {
		var b bytes.Buffer
		if err := png.Encode(&b, img); err != nil {
			t.Fatal(err)
		}
		seeds = append(seeds, b.Bytes())
	}
	return append(seeds, encoded(t, "jpeg", 8, 8), encoded(t, "png", 3, 5),
		hugeJPEG(t, 65535, 65535), hugePNG(60000, 60000)[:200])
}

// TestWriteFuzzCorpus writes the seeds into testdata/fuzz, the committed
// corpus CI's short fuzz runs start from. It runs only when asked:
//
//	SIMDNET_WRITE_CORPUS=1 go test -run TestWriteFuzzCorpus ./train/data
func TestWriteFuzzCorpus(t *testing.T) {
	if os.Getenv("SIMDNET_WRITE_CORPUS") != "1" {
		t.Skip("set SIMDNET_WRITE_CORPUS=1 to rewrite testdata/fuzz")
	}
	for target, seeds := range map[string][][]byte{"FuzzLoadH5": h5Seeds(), "FuzzReadImage": imageSeeds(t)} {
		dir := filepath.Join("testdata", "fuzz", target)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for i, s := range seeds {
			entry := "go test fuzz v1\n[]byte(" + strconv.Quote(string(s)) + ")\n"
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed%02d", i)), []byte(entry), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
