package main

import (
	"image"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/simdnet/simdnet"
)

// TestEmbeddedModelOnSIGNSPhotos classifies the 120 SIGNS test photos from
// their JPEG files with the embedded model: the whole path a user's photo
// takes (decode, resize, fused inference).
func TestEmbeddedModelOnSIGNSPhotos(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "data", "signs", "test")
	files, _ := filepath.Glob(filepath.Join(dir, "*.jpg"))
	if len(files) == 0 {
		t.Skipf("SIGNS test photos not found in %s", dir)
	}
	m, err := simdnet.LoadBytes("signs-resnet8.safetensors", modelFile)
	if err != nil {
		t.Fatal(err)
	}
	right := 0
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		img, _, err := image.Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		top, err := m.Predict(img)
		if err != nil {
			t.Fatal(err)
		}
		if label, _, _ := strings.Cut(filepath.Base(path), "_"); top[0].Class == label {
			right++
		}
	}
	acc := float64(right) / float64(len(files))
	t.Logf("%d/%d photos right (%.1f%%)", right, len(files), 100*acc)
	if acc < 0.9 {
		t.Fatalf("embedded model classifies %d/%d test photos right, want at least 90%%", right, len(files))
	}
}
