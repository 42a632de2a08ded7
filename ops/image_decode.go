package ops

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // the formats DecodeImage reads
	_ "image/png"
	"io"
	"os"
)

// DefaultMaxImagePixels is the largest image, in pixels (width × height),
// that DecodeImage accepts when not told otherwise: 2^27, about 134
// megapixels, above any phone's photo, below what would make decoding a
// hostile file (an 11 KB PNG declaring 60000×60000) exhaust memory. A
// decoded image of that size takes up to 512 MiB (RGBA).
const DefaultMaxImagePixels = 1 << 27

// ErrImageTooLarge is wrapped by the error of DecodeImage for an image
// whose header declares more pixels than the limit.
var ErrImageTooLarge = errors.New("image too large")

// DecodeImage decodes a JPEG or PNG image after checking its header: the
// size is read with image.DecodeConfig first, and an image of more than
// maxPixels pixels (zero or less: DefaultMaxImagePixels) is refused
// before anything is allocated for it. It returns the image and its
// format name ("jpeg", "png").
func DecodeImage(r io.Reader, maxPixels int) (image.Image, string, error) {
	if maxPixels <= 0 {
		maxPixels = DefaultMaxImagePixels
	}
	// The header's bytes are kept so the decoder can read them again; for
	// both formats they are a few kilobytes at most.
	var head bytes.Buffer
	cfg, format, err := image.DecodeConfig(io.TeeReader(r, &head))
	if err != nil && head.Len() == 0 {
		return nil, "", errors.New("empty file (0 bytes), not an image")
	}
	if errors.Is(err, image.ErrFormat) {
		return nil, "", errors.New("not a JPEG or PNG image (unknown format)")
	}
	if err != nil {
		return nil, format, fmt.Errorf("reading the %s header: %w", format, truncated(err))
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, format, fmt.Errorf("%s image of %d×%d pixels is empty", format, cfg.Width, cfg.Height)
	}
	if int64(cfg.Width)*int64(cfg.Height) > int64(maxPixels) {
		return nil, format, fmt.Errorf("%w: the %s header declares %d×%d pixels = %d, above the limit of %d pixels",
			ErrImageTooLarge, format, cfg.Width, cfg.Height, int64(cfg.Width)*int64(cfg.Height), maxPixels)
	}
	img, _, err := image.Decode(io.MultiReader(&head, r))
	if err != nil {
		return nil, format, fmt.Errorf("decoding %s: %w", format, truncated(err))
	}
	if b := img.Bounds(); b.Dx() != cfg.Width || b.Dy() != cfg.Height {
		return nil, format, fmt.Errorf("decoded %s is %d×%d, its header says %d×%d", format, b.Dx(), b.Dy(), cfg.Width, cfg.Height)
	}
	return img, format, nil
}

// DecodeImageFile is DecodeImage on the named file; its errors name it.
func DecodeImageFile(path string, maxPixels int) (image.Image, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, "", err // *PathError names the file
	}
	defer f.Close()
	img, format, err := DecodeImage(f, maxPixels)
	if err != nil {
		return nil, format, fmt.Errorf("%s: %w", path, err)
	}
	return img, format, nil
}

// truncated says what an unexpected end of the data means.
func truncated(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return fmt.Errorf("%w (the file is truncated)", err)
	}
	return err
}
