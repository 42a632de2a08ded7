package train

import (
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/resnet"
	"github.com/simdnet/simdnet/train/data"
)

// signsDir is the shared SIGNS data set, relative to this package's
// directory.
var signsDir = filepath.Join("..", "..", "shared", "data", "signs")

// ciArch is a ResNet small enough to train on SIGNS in CI: the tutorial's
// stem and head around three basic stages of 16, 32 and 64 filters.
const ciArch = "signs-ci"

func registerCIArch(t *testing.T) {
	if _, ok := resnet.Lookup(ciArch); ok {
		return // registered by an earlier run of the test (-count)
	}
	err := resnet.Register(ciArch, resnet.Arch{Name: "SignsCI", Block: resnet.Basic, Stages: []resnet.Stage{
		{Filters: []int{16, 16}, Blocks: 1, Stride: 1},
		{Filters: []int{32, 32}, Blocks: 1, Stride: 2},
		{Filters: []int{64, 64}, Blocks: 1, Stride: 2},
	}})
	if err != nil {
		t.Fatal(err)
	}
}

// TestSIGNSTrainsToTestAccuracy trains a small ResNet on the real
// train_signs.h5, downscaled to 32×32, and requires 85% accuracy on
// test_signs.h5. It takes about 20 s on two cores (2 s an epoch).
func TestSIGNSTrainsToTestAccuracy(t *testing.T) {
	if testing.Short() {
		t.Skip("trains for about 20 s; skipped in -short mode")
	}
	if portableGemm {
		t.Skip("the portable (purego) gemm makes this run take minutes")
	}
	if _, err := os.Stat(signsDir); err != nil {
		t.Skipf("SIGNS data not available at %s (%v); skipping", signsDir, err)
	}
	trainSet, testSet, err := data.LoadSIGNS(signsDir)
	if err != nil {
		t.Fatal(err)
	}
	const size, epochs = 32, 8
	trainSet, testSet = trainSet.Resized(size, size).Scaled(), testSet.Resized(size, size).Scaled()

	registerCIArch(t)
	g, err := resnet.Config{Arch: ciArch, InputShape: [3]int{size, size, 3}, Classes: 6, Seed: 1}.Build()
	if err != nil {
		t.Fatal(err)
	}
	// 8 epochs are 272 steps: with Keras's momentum 0.99 the moving
	// statistics would still remember the initial ones and lag the
	// changing weights, and inference-mode accuracy would trail the
	// training accuracy by far. A shorter memory suits a short run.
	for _, n := range g.Nodes() {
		if bn, ok := n.Layer.(*ops.BatchNormalization); ok {
			bn.Momentum = 0.9
		}
	}
	tr, err := NewTrainer(g, NewAdam())
	if err != nil {
		t.Fatal(err)
	}
	// Adam at a constant 1e-3 ends such a short run bouncing between
	// minima; a cosine decay to 5% settles it.
	cosine := LearningRateScheduler(func(epoch int, _ float64) float64 {
		return 1e-3 * (0.05 + 0.95*0.5*(1+math.Cos(math.Pi*float64(epoch)/epochs)))
	})
	start := time.Now()
	h, err := Fit(tr, trainSet, testSet, FitConfig{Epochs: epochs, BatchSize: 32, Seed: 1,
		Callbacks: []Callback{cosine}, Progress: t.Output()})
	if err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	e, err := Evaluate(tr, testSet, 32)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d epochs in %v: train accuracy %.4f, test accuracy %.4f, test loss %.4f; confusion %v",
		h.Len(), elapsed.Round(time.Second), h.Accuracy[h.Len()-1], e.Accuracy(), e.Loss, e.Confusion)
	if e.Accuracy() < 0.85 {
		t.Errorf("test accuracy %.4f, want at least 0.85", e.Accuracy())
	}
	if last := h.ValAccuracy[h.Len()-1]; last != e.Accuracy() {
		t.Errorf("Fit's last val_accuracy %.4f differs from Evaluate's %.4f on the same data", last, e.Accuracy())
	}
}
