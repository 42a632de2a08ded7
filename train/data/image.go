package data

import (
	"fmt"
	"image"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/simdnet/simdnet/ops"
)

// imageExts are the file extensions LoadFolder reads, with the format
// each must hold; other files (notes, .DS_Store, ...) are skipped.
var imageExts = map[string]string{".jpg": "jpeg", ".jpeg": "jpeg", ".png": "png"}

func isImageFile(name string) bool {
	_, ok := imageExts[strings.ToLower(filepath.Ext(name))]
	return ok
}

// imageReader turns image files into h×w×3 uint8 pixels with the resize
// and channel rules prediction uses (ops.ImagePixels), so a model sees
// the same pixels in training as in use. It keeps its float buffer from
// one image to the next.
type imageReader struct {
	maxPixels int
	buf       []float32
}

// read decodes the JPEG or PNG file at path into dst, which must hold
// h*w*3 pixels, resizing it when h and w are not its own size.
func (r *imageReader) read(dst []uint8, path string, h, w int) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	img, err := r.decode(f, path)
	if err != nil {
		return err
	}
	r.pixels(dst, img, h, w)
	return nil
}

// decode reads one image and checks that its format is the one its
// file name's extension promises; errors name path.
func (r *imageReader) decode(src io.Reader, path string) (image.Image, error) {
	img, format, err := ops.DecodeImage(src, r.maxPixels)
	if err != nil {
		return nil, fmt.Errorf("data: %s: %w", path, err)
	}
	ext := filepath.Ext(path)
	if want := imageExts[strings.ToLower(ext)]; want != "" && format != want {
		return nil, fmt.Errorf("data: %s: holds %s data, not the %s its extension %q says; rename or convert it", path, format, want, ext)
	}
	return img, nil
}

// size decodes only the header of the image at path, for its size.
func (r *imageReader) size(path string) (h, w int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	cfg, _, err := image.DecodeConfig(f)
	if err != nil {
		return 0, 0, fmt.Errorf("data: %s: not a readable JPEG or PNG image: %w", path, err)
	}
	return cfg.Height, cfg.Width, nil
}

// pixels writes img as h×w×3 uint8 pixels into dst.
func (r *imageReader) pixels(dst []uint8, img image.Image, h, w int) {
	if n := h * w * 3; cap(r.buf) < n {
		r.buf = make([]float32, n)
	}
	buf := r.buf[:h*w*3]
	ops.ImagePixels(buf, img, h, w)
	for i, v := range buf {
		dst[i] = uint8(min(max(v*255+0.5, 0), 255))
	}
}
