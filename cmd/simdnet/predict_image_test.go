package main

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadImageRefusesHugePhotos: a PNG whose header declares 60000×60000
// pixels gets an error naming the file before anything is decoded.
func TestReadImageRefusesHugePhotos(t *testing.T) {
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 8, 8))); err != nil {
		t.Fatal(err)
	}
	// Rewrite the IHDR chunk's size (right after the 8-byte signature and
	// the chunk's length and type) and its checksum.
	data := b.Bytes()
	binary.BigEndian.PutUint32(data[16:], 60000)
	binary.BigEndian.PutUint32(data[20:], 60000)
	binary.BigEndian.PutUint32(data[29:], crc32.ChecksumIEEE(data[12:29]))
	path := filepath.Join(t.TempDir(), "huge.png")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := readImage(path)
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "60000×60000 pixels") {
		t.Errorf("readImage: err = %v, want one naming %s and its size", err, path)
	}
	if _, err := readImage(filepath.Join(t.TempDir(), "missing.jpg")); err == nil || !strings.Contains(err.Error(), "missing.jpg") {
		t.Errorf("missing file: err = %v", err)
	}
}
