//go:build !race

// Not under -race: the race detector makes sync.Pool drop items at random.

package simdnet_test

import (
	"image"
	"path/filepath"
	"runtime/debug"
	"testing"

	"github.com/simdnet/simdnet"
	"github.com/simdnet/simdnet/resnet"
	"github.com/simdnet/simdnet/weights"
)

// TestPredictAllocations counts what Model.Predict allocates per call in
// steady state: the []Prediction result it returns, and nothing else (the
// shapes are read once, the input and output tensors pooled), as much for
// a 2 MP photo as for an image of the model's own size.
func TestPredictAllocations(t *testing.T) {
	if testing.CoverMode() != "" {
		t.Skip("coverage instrumentation allocates")
	}
	cfg := resnet.Config{Arch: "resnet8", InputShape: [3]int{32, 32, 3}, Classes: 6, Seed: 5}
	g, err := cfg.Build()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "m.safetensors")
	if err := weights.Save(path, g, weights.WithArch(cfg)); err != nil {
		t.Fatal(err)
	}
	m, err := simdnet.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	photo := image.NewYCbCr(image.Rect(0, 0, 1600, 1200), image.YCbCrSubsampleRatio420)
	for i := range photo.Y {
		photo.Y[i] = uint8(i % 251)
	}
	if _, err := m.Predict(photo); err != nil {
		t.Fatal(err)
	}
	// A GC empties the buffer pools (sync.Pool), which refill on the next
	// calls; between collections a call allocates only this.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	small := image.NewRGBA(image.Rect(0, 0, 32, 32))
	for _, img := range []image.Image{photo, small} {
		n := testing.AllocsPerRun(20, func() { _, _ = m.Predict(img) })
		if n != wantPredictAllocs {
			t.Errorf("Predict of a %v image allocates %v objects per call, want %d", img.Bounds().Size(), n, wantPredictAllocs)
		}
	}
}

// wantPredictAllocs is the count README states.
const wantPredictAllocs = 1
