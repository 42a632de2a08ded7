package train

import (
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

func TestPlotHistoryWritesPNG(t *testing.T) {
	h := &History{}
	for e := range 5 {
		h.Append(EpochLogs{Epoch: e, Loss: 2 / float64(e+1), Accuracy: 0.2 * float64(e),
			HasVal: true, ValLoss: 2.2 / float64(e+1), ValAccuracy: 0.18 * float64(e), Seconds: 3, LearningRate: 1e-3})
	}
	path := filepath.Join(t.TempDir(), "history.png")
	if err := PlotHistory(h, path); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s is not a PNG: %v", path, err)
	}
	if b := img.Bounds(); b.Dx() != plotWidthPx || b.Dy() != plotHeightPx {
		t.Errorf("image is %dx%d, want %dx%d", b.Dx(), b.Dy(), plotWidthPx, plotHeightPx)
	}
}

func TestPlotHistoryOneEpochNoValidation(t *testing.T) {
	h := &History{}
	h.Append(EpochLogs{Loss: 1, Accuracy: 0.5})
	if err := PlotHistory(h, filepath.Join(t.TempDir(), "h.png")); err != nil {
		t.Fatal(err)
	}
	if err := PlotHistory(&History{}, filepath.Join(t.TempDir(), "h.png")); err == nil {
		t.Error("empty history: no error")
	}
}
