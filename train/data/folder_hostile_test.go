package data

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/simdnet/simdnet/ops"
)

// hugePNG is the hostile image: a valid PNG header declaring
// w×h RGB pixels followed by a few kilobytes of compressed rows, about
// 11 KB for 60000×60000. Decoding it in full would take 14 GB.
func hugePNG(w, h uint32) []byte {
	chunk := func(b []byte, typ string, data []byte) []byte {
		b = binary.BigEndian.AppendUint32(b, uint32(len(data)))
		start := len(b)
		b = append(append(b, typ...), data...)
		return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[start:]))
	}
	ihdr := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, w), h)
	ihdr = append(ihdr, 8, 2, 0, 0, 0) // 8-bit RGB, no interlace
	var idat bytes.Buffer
	z := zlib.NewWriter(&idat)
	z.Write(make([]byte, 10<<20)) // the first rows, all zero
	z.Close()
	b := chunk([]byte("\x89PNG\r\n\x1a\n"), "IHDR", ihdr)
	b = chunk(b, "IDAT", idat.Bytes())
	return chunk(b, "IEND", nil)
}

// encoded returns a small w×h image as JPEG or PNG bytes.
func encoded(t testing.TB, format string, w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 13)
	}
	var b bytes.Buffer
	var err error
	if format == "png" {
		err = png.Encode(&b, img)
	} else {
		err = jpeg.Encode(&b, img, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// hugeJPEG is a small JPEG whose frame header is patched to declare w×h.
func hugeJPEG(t testing.TB, w, h uint16) []byte {
	b := encoded(t, "jpeg", 8, 8)
	sof := bytes.Index(b, []byte{0xff, 0xc0})
	if sof < 0 {
		t.Fatal("no SOF0 marker in the encoded JPEG")
	}
	binary.BigEndian.PutUint16(b[sof+5:], h)
	binary.BigEndian.PutUint16(b[sof+7:], w)
	return b
}

func TestLoadFolderHostileFiles(t *testing.T) {
	good := encoded(t, "jpeg", 16, 16)
	for _, c := range []struct {
		name, file string
		data       []byte
		opt        FolderOptions
		want       []string
	}{
		{"60000×60000 PNG", "1_IMG_2.png", hugePNG(60000, 60000), FolderOptions{Height: 8, Width: 8},
			[]string{"60000×60000 pixels = 3600000000, above the limit of 134217728 pixels"}},
		{"60000×60000 PNG, size from it", "1_IMG_2.png", hugePNG(60000, 60000), FolderOptions{},
			[]string{"60000×60000"}},
		{"65535×65535 JPEG", "1_IMG_2.jpg", hugeJPEG(t, 65535, 65535), FolderOptions{Height: 8, Width: 8},
			[]string{"65535×65535 pixels"}},
		{"empty file", "1_IMG_2.jpg", nil, FolderOptions{Height: 8, Width: 8}, []string{"empty file (0 bytes)"}},
		{"text", "1_IMG_2.jpg", []byte("this is not a photo\n"), FolderOptions{Height: 8, Width: 8},
			[]string{"not a JPEG or PNG image"}},
		{"truncated JPEG", "1_IMG_2.jpg", good[:len(good)/2], FolderOptions{Height: 8, Width: 8}, []string{"truncated"}},
		{"truncated header", "1_IMG_2.png", encoded(t, "png", 4, 4)[:20], FolderOptions{Height: 8, Width: 8}, []string{"truncated"}},
		{"PNG named .jpg", "1_IMG_2.jpg", encoded(t, "png", 4, 4), FolderOptions{Height: 8, Width: 8},
			[]string{`holds png data, not the jpeg its extension ".jpg" says`}},
		{"no label", "IMG2.jpg", good, FolderOptions{}, []string{"no class before an underscore"}},
		{"empty label", "_IMG_2.jpg", good, FolderOptions{}, []string{"no class before an underscore"}},
		{"pixel limit", "1_IMG_2.jpg", encoded(t, "jpeg", 20, 20), FolderOptions{Height: 8, Width: 8, Limits: Limits{MaxImagePixels: 300}},
			[]string{"20×20 pixels = 400, above the limit of 300 pixels"}},
	} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "0_IMG_1.jpg"), good, 0o644); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, c.file)
		if err := os.WriteFile(path, c.data, 0o644); err != nil {
			t.Fatal(err)
		}
		var err error
		if n := allocated(func() { _, err = LoadFolder(dir, c.opt) }); n > 64<<20 {
			t.Errorf("%s: LoadFolder allocated %d bytes", c.name, n)
		}
		wantError(t, c.name, err, append(c.want, path)...)
		if c.name == "60000×60000 PNG" && !errors.Is(err, ops.ErrImageTooLarge) {
			t.Errorf("%s: error %v does not wrap ops.ErrImageTooLarge", c.name, err)
		}
	}
}

func TestLoadFolderByteLimit(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"0_IMG_1.png", "1_IMG_2.png", "1_IMG_3.png"} {
		writeImage(t, filepath.Join(dir, name), 4, 4, color.RGBA{1, 2, 3, 255})
	}
	_, err := LoadFolder(dir, FolderOptions{Height: 64, Width: 64, Limits: Limits{MaxBytes: 2 * 64 * 64 * 3}})
	wantError(t, "byte limit", err, dir, "3 images of 64×64×3 take 36.0 KiB, above the limit of 24.0 KiB (Limits.MaxBytes)")
	if _, err := LoadFolder(dir, FolderOptions{Height: 64, Width: 64, Limits: Limits{MaxBytes: 3 * 64 * 64 * 3}}); err != nil {
		t.Errorf("at the byte limit: %v", err)
	}
	_, err = LoadFolder(dir, FolderOptions{Height: -1, Width: 4})
	wantError(t, "negative size", err, "-1×4")
}
