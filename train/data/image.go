package data

import (
	"fmt"
	"image"
	"image/draw"
	_ "image/jpeg" // register the decoders LoadFolder reads
	_ "image/png"
	"os"
	"path/filepath"
	"strings"

	"github.com/simdnet/simdnet/ops"
)

// imageExts are the file extensions LoadFolder reads; other files (notes,
// .DS_Store, ...) are skipped.
var imageExts = map[string]bool{".jpg": true, ".jpeg": true, ".png": true}

func isImageFile(name string) bool {
	return imageExts[strings.ToLower(filepath.Ext(name))]
}

// readRGB decodes a JPEG or PNG file into h×w×3 pixels, resized (bilinear)
// when h and w are not the image's own size; zero h and w keep its size.
// Grey images become three equal channels; transparent pixels are
// composited over black, as draw.Draw does with premultiplied RGBA.
func readRGB(path string, h, w int) (pixels []uint8, gotH, gotW int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("data: %s: decoding image: %w", path, err)
	}
	b := img.Bounds()
	rgba := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(rgba, rgba.Bounds(), img, b.Min, draw.Src)
	iw, ih := b.Dx(), b.Dy()
	if iw == 0 || ih == 0 {
		return nil, 0, 0, fmt.Errorf("data: %s: empty %dx%d image", path, iw, ih)
	}
	if h == 0 || w == 0 {
		h, w = ih, iw
	}
	rgb := make([]float32, ih*iw*3)
	for p := range ih * iw {
		px := rgba.Pix[p*4 : p*4+3]
		rgb[p*3], rgb[p*3+1], rgb[p*3+2] = float32(px[0]), float32(px[1]), float32(px[2])
	}
	out := make([]uint8, h*w*3)
	if h == ih && w == iw {
		toPixels(out, rgb)
		return out, h, w, nil
	}
	resized := make([]float32, h*w*3)
	ops.ResizeBilinear(resized, h, w, rgb, ih, iw, 3)
	toPixels(out, resized)
	return out, h, w, nil
}
