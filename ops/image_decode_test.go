package ops

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// declaredPNG is a valid PNG header declaring w×h RGB pixels, followed by
// a few kilobytes of compressed zero rows: about 11 KB for 60000×60000,
// whose full decode would take 14 GB.
func declaredPNG(w, h uint32) []byte {
	chunk := func(b []byte, typ string, data []byte) []byte {
		b = binary.BigEndian.AppendUint32(b, uint32(len(data)))
		start := len(b)
		b = append(append(b, typ...), data...)
		return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[start:]))
	}
	ihdr := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, w), h)
	ihdr = append(ihdr, 8, 2, 0, 0, 0)
	var idat bytes.Buffer
	z := zlib.NewWriter(&idat)
	z.Write(make([]byte, 10<<20))
	z.Close()
	b := chunk([]byte("\x89PNG\r\n\x1a\n"), "IHDR", ihdr)
	b = chunk(b, "IDAT", idat.Bytes())
	return chunk(b, "IEND", nil)
}

func TestDecodeImageRefusesHugeHeaders(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bomb.png")
	if err := os.WriteFile(path, declaredPNG(60000, 60000), 0o644); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, _, err := DecodeImageFile(path, 0)
	runtime.ReadMemStats(&after)
	if err == nil || !errors.Is(err, ErrImageTooLarge) || !strings.Contains(err.Error(), path) ||
		!strings.Contains(err.Error(), "60000×60000 pixels = 3600000000, above the limit of 134217728") {
		t.Errorf("60000×60000 PNG: err = %v", err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
		t.Errorf("refusing the PNG allocated %d bytes", n)
	}
	// Within a raised limit the same header is decoded (and found short).
	if _, _, err := DecodeImage(bytes.NewReader(declaredPNG(3000, 2000)), 6_000_000); err == nil || errors.Is(err, ErrImageTooLarge) || !strings.Contains(err.Error(), "decoding png") {
		t.Errorf("3000×2000 PNG with its rows missing: err = %v", err)
	}
}

func TestDecodeImage(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 5, 4))
	for i := range img.Pix {
		img.Pix[i] = uint8(i)
	}
	var p, j bytes.Buffer
	if err := png.Encode(&p, img); err != nil {
		t.Fatal(err)
	}
	if err := jpeg.Encode(&j, img, nil); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name      string
		data      []byte
		maxPixels int
		format    string // "" when it must fail
		want      string
	}{
		{"png", p.Bytes(), 0, "png", ""},
		{"jpeg", j.Bytes(), 20, "jpeg", ""},
		{"over the limit", j.Bytes(), 19, "", "5×4 pixels = 20, above the limit of 19"},
		{"empty", nil, 0, "", "empty file (0 bytes)"},
		{"text", []byte("hello, world"), 0, "", "not a JPEG or PNG image"},
		{"truncated header", p.Bytes()[:20], 0, "", "truncated"},
		{"truncated data", j.Bytes()[:j.Len()-40], 0, "", "truncated"},
	} {
		got, format, err := DecodeImage(bytes.NewReader(c.data), c.maxPixels)
		if c.format == "" {
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: err = %v, want one saying %q", c.name, err, c.want)
			}
			continue
		}
		if err != nil || format != c.format || got.Bounds() != img.Bounds() {
			t.Errorf("%s: %v %q %v", c.name, got, format, err)
		}
	}
}
