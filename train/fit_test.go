package train

import (
	"bytes"
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/train/data"
)

// tinyModel is a small CNN with every kind of state a checkpoint must
// carry: convolution and dense weights, BatchNormalization statistics.
func tinyModel(t *testing.T, seed uint64) *Trainer {
	t.Helper()
	g := ops.NewGraph(seed)
	x := g.Input("", 8, 8, 3)
	x = g.Conv2D(x, ops.Conv2DConfig{Name: "conv1", Filters: 4, KernelSize: [2]int{3, 3}, Padding: ops.Same})
	x = g.BatchNormalization(x, "bn1")
	x = g.Activation(x, ops.ReLU)
	x = g.MaxPooling2D(x, ops.Pool2DConfig{PoolSize: [2]int{2, 2}})
	x = g.Flatten(x)
	x = g.Dense(x, ops.DenseConfig{Name: "fc", Units: 3, Activation: ops.Softmax})
	g.SetOutput(x)
	if err := g.Build(); err != nil {
		t.Fatal(err)
	}
	tr, err := NewTrainer(g, NewAdam())
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// tinyData makes n 8×8×3 images of 3 classes: a bright row, column or
// diagonal (by class) on noise, in [0, 1].
func tinyData(n int, seed uint64) *data.Dataset {
	rng := rand.New(rand.NewPCG(seed, 0))
	d := &data.Dataset{Height: 8, Width: 8, Channels: 3, MaxValue: 1, Classes: []string{"row", "col", "diag"}}
	for i := range n {
		label := i % 3
		img := make([]float32, 8*8*3)
		for p := range img {
			img[p] = 0.3 * float32(rng.Float64())
		}
		k := rng.IntN(8)
		for j := range 8 {
			y, x := k, j
			switch label {
			case 1:
				y, x = j, k
			case 2:
				y, x = j, j
			}
			for c := range 3 {
				img[(y*8+x)*3+c] = 0.9
			}
		}
		d.Floats = append(d.Floats, img...)
		d.Labels = append(d.Labels, label)
	}
	return d
}

// singleThreaded pins the run to one goroutine, which makes training
// bit-for-bit reproducible, for the duration of the test.
func singleThreaded(t *testing.T) {
	old := runtime.GOMAXPROCS(1)
	t.Cleanup(func() { runtime.GOMAXPROCS(old) })
}

// sameWeights fails the test unless both trainers hold bit-identical
// parameters, BatchNormalization statistics included.
func sameWeights(t *testing.T, a, b *Trainer) {
	t.Helper()
	pa, pb := Params(a.Graph()), Params(b.Graph())
	for i := range pa {
		va, vb := pa[i].Param.Value, pb[i].Param.Value
		for j := range va {
			if math.Float32bits(va[j]) != math.Float32bits(vb[j]) {
				t.Fatalf("%s[%d] = %g, want %g (bit for bit)", pa[i].Key(), j, vb[j], va[j])
			}
		}
	}
}

// sameHistory fails the test unless the histories agree in everything but
// wall time.
func sameHistory(t *testing.T, want, got *History) {
	t.Helper()
	w, g := *want, *got
	w.Seconds, g.Seconds = nil, nil
	if !slices.Equal(w.Epoch, g.Epoch) || !slices.Equal(w.Loss, g.Loss) || !slices.Equal(w.Accuracy, g.Accuracy) ||
		!slices.Equal(w.ValLoss, g.ValLoss) || !slices.Equal(w.ValAccuracy, g.ValAccuracy) || !slices.Equal(w.LearningRate, g.LearningRate) {
		t.Errorf("history\n got %+v\nwant %+v", g, w)
	}
	if len(got.Seconds) != len(want.Seconds) {
		t.Errorf("%d epoch times for %d epochs", len(got.Seconds), len(want.Seconds))
	}
}

// fitConfig is the shared setting of the resume tests: a partial last
// batch (26 = 3×8 + 2) and augmentation, so both must be replayed.
func fitConfig(epochs int, checkpoint string) FitConfig {
	return FitConfig{Epochs: epochs, BatchSize: 8, Seed: 42, Augment: true, Checkpoint: checkpoint}
}

func TestFitResumeEqualsUnbrokenRun(t *testing.T) {
	singleThreaded(t)
	train, val := tinyData(26, 1), tinyData(9, 2)

	straight := tinyModel(t, 7)
	want, err := Fit(straight, train, val, fitConfig(4, ""))
	if err != nil {
		t.Fatal(err)
	}

	path := filepath.Join(t.TempDir(), "run.ckpt")
	first := tinyModel(t, 7)
	if _, err := Fit(first, train, val, fitConfig(2, path)); err != nil {
		t.Fatal(err)
	}
	// A differently initialised model: everything must come from the file.
	resumed := tinyModel(t, 99)
	cfg := fitConfig(4, path)
	cfg.Resume = true
	got, err := Fit(resumed, train, val, cfg)
	if err != nil {
		t.Fatal(err)
	}
	sameWeights(t, straight, resumed)
	sameHistory(t, want, got)
	if got.Len() != 4 || resumed.Optimizer().Iterations() != 4*4 {
		t.Errorf("%d epochs, %d optimizer steps; want 4 and 16", got.Len(), resumed.Optimizer().Iterations())
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*tmp*")); len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

func TestFitInterruptSavesAndResumes(t *testing.T) {
	singleThreaded(t)
	train, val := tinyData(26, 1), tinyData(9, 2)
	straight := tinyModel(t, 7)
	want, err := Fit(straight, train, val, fitConfig(3, ""))
	if err != nil {
		t.Fatal(err)
	}

	// Ctrl-C arrives during the third step of the second epoch: that step
	// finishes, the run is saved, and Fit says it was interrupted.
	path := filepath.Join(t.TempDir(), "run.ckpt")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := fitConfig(3, path)
	cfg.Context = ctx
	cfg.Callbacks = []Callback{CallbackFuncs{BatchEnd: func(_ *Trainer, epoch, batch int, _ BatchLogs) error {
		if epoch == 1 && batch == 2 {
			cancel()
		}
		return nil
	}}}
	h, err := Fit(tinyModel(t, 7), train, val, cfg)
	if !errors.Is(err, ErrInterrupted) {
		t.Fatalf("Fit after cancel: %v, want ErrInterrupted", err)
	}
	if h.Len() != 1 || !strings.Contains(err.Error(), "epoch 2, batch 3 of 4") {
		t.Errorf("interrupted with %d epochs done, error %q", h.Len(), err)
	}

	resumed := tinyModel(t, 99)
	cfg = fitConfig(3, path)
	cfg.Resume = true
	got, err := Fit(resumed, train, val, cfg)
	if err != nil {
		t.Fatal(err)
	}
	sameWeights(t, straight, resumed)
	sameHistory(t, want, got)
}

func TestFitResumeChecksSettings(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.ckpt")
	train := tinyData(12, 1)
	if _, err := Fit(tinyModel(t, 1), train, nil, fitConfig(1, path)); err != nil {
		t.Fatal(err)
	}
	cfg := fitConfig(2, path)
	cfg.Resume, cfg.Seed, cfg.BatchSize = true, 43, 4
	_, err := Fit(tinyModel(t, 1), train, nil, cfg)
	if err == nil || !strings.Contains(err.Error(), "seed 42 (this run: 43)") || !strings.Contains(err.Error(), "batch size 8") {
		t.Errorf("resume with another seed and batch size: err = %v", err)
	}
	// Without a file yet, Resume starts afresh.
	cfg = fitConfig(1, filepath.Join(t.TempDir(), "new.ckpt"))
	cfg.Resume = true
	if h, err := Fit(tinyModel(t, 1), train, nil, cfg); err != nil || h.Len() != 1 {
		t.Errorf("resume without a checkpoint: %v, %d epochs", err, h.Len())
	}
}

func TestFitCallbacksAndStop(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.ckpt")
	var began []int
	cfg := FitConfig{Epochs: 5, BatchSize: 4, Checkpoint: path, Callbacks: []Callback{
		LearningRateScheduler(func(epoch int, lr float64) float64 { return 0.01 / float64(epoch+1) }),
		CallbackFuncs{
			EpochBegin: func(_ *Trainer, epoch int) error { began = append(began, epoch); return nil },
			EpochEnd: func(_ *Trainer, epoch int, _ EpochLogs) error {
				if epoch == 1 {
					return ErrStopTraining
				}
				return nil
			},
		},
	}}
	h, err := Fit(tinyModel(t, 1), tinyData(12, 1), nil, cfg)
	if err != nil {
		t.Fatalf("a callback stop is not an error: %v", err)
	}
	if h.Len() != 2 || !slices.Equal(began, []int{0, 1}) {
		t.Errorf("stopped after epoch 2: %d epochs recorded, began %v", h.Len(), began)
	}
	if h.LearningRate[0] != float64(float32(0.01)) || h.LearningRate[1] != float64(float32(0.005)) {
		t.Errorf("learning rates %v, want 0.01, 0.005 (as float32)", h.LearningRate)
	}
	// The checkpoint holds both epochs and continues at the third.
	tr := tinyModel(t, 1)
	st, saved, err := loadCheckpoint(path, tr, nil)
	if err != nil || st.Epoch != 2 || st.Batch != 0 || saved.Len() != 2 {
		t.Errorf("checkpoint after stop: epoch %d batch %d, %d epochs of history, %v", st.Epoch, st.Batch, saved.Len(), err)
	}

	boom := errors.New("boom")
	cfg.Callbacks = []Callback{CallbackFuncs{BatchEnd: func(*Trainer, int, int, BatchLogs) error { return boom }}}
	cfg.Checkpoint = ""
	if _, err := Fit(tinyModel(t, 1), tinyData(12, 1), nil, cfg); !errors.Is(err, boom) {
		t.Errorf("callback error: Fit returned %v", err)
	}
}

func TestFitProgressOutput(t *testing.T) {
	var out bytes.Buffer
	_, err := Fit(tinyModel(t, 1), tinyData(10, 1), tinyData(5, 2), FitConfig{Epochs: 2, BatchSize: 4, Progress: &out})
	if err != nil {
		t.Fatal(err)
	}
	line := `3/3 \[==============================\] - \d+s \d+(s|ms|us)/step - loss: \d\.\d{4} - accuracy: \d\.\d{4} - val_loss: \d\.\d{4} - val_accuracy: \d\.\d{4}`
	re := regexp.MustCompile(`^Epoch 1/2\n` + line + `\nEpoch 2/2\n` + line + `\n$`)
	if !re.MatchString(out.String()) {
		t.Errorf("progress output:\n%s", out.String())
	}
}

func TestFitInitialEpoch(t *testing.T) {
	var began []int
	cfg := FitConfig{Epochs: 4, InitialEpoch: 2, BatchSize: 4, Callbacks: []Callback{CallbackFuncs{
		EpochBegin: func(_ *Trainer, epoch int) error { began = append(began, epoch); return nil },
	}}}
	h, err := Fit(tinyModel(t, 1), tinyData(8, 1), nil, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(h.Epoch, []int{3, 4}) || !slices.Equal(began, []int{2, 3}) {
		t.Errorf("epochs %v began %v, want the 3rd and 4th", h.Epoch, began)
	}
}

func TestFitRejectsMismatchedData(t *testing.T) {
	tr := tinyModel(t, 1)
	d := tinyData(4, 1).Resized(6, 6)
	if _, err := Fit(tr, d, nil, FitConfig{Epochs: 1}); err == nil || !strings.Contains(err.Error(), "(6, 6, 3)") {
		t.Errorf("6×6 images for an 8×8 model: err = %v", err)
	}
	d = tinyData(4, 1)
	d.Classes = append(d.Classes, "a", "b")
	if _, err := Fit(tr, d, nil, FitConfig{Epochs: 1}); err == nil || !strings.Contains(err.Error(), "5 classes") {
		t.Errorf("5 classes for 3 outputs: err = %v", err)
	}
	if _, err := Fit(tr, tinyData(4, 1), nil, FitConfig{Epochs: 1, Resume: true}); err == nil {
		t.Error("Resume without a checkpoint path: no error")
	}
}

func TestEvaluateConfusion(t *testing.T) {
	tr := tinyModel(t, 1)
	d := tinyData(11, 3)
	e, err := Evaluate(tr, d, 4)
	if err != nil {
		t.Fatal(err)
	}
	total, diag := 0, 0
	for i, row := range e.Confusion {
		for j, n := range row {
			total += n
			if i == j {
				diag += n
			}
		}
	}
	if e.Count != 11 || total != 11 || diag != e.Correct {
		t.Errorf("count %d, confusion total %d, diagonal %d, correct %d", e.Count, total, diag, e.Correct)
	}
	// The mean over batches of 4, 4, 3 equals one pass over all 11.
	x, labels := d.All()
	one, err := tr.Evaluate(x, labels)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(one.Loss-e.Loss) > 1e-6 || one.Correct != e.Correct {
		t.Errorf("batched loss %g correct %d; whole-set loss %g correct %d", e.Loss, e.Correct, one.Loss, one.Correct)
	}
}

func TestNotifyInterruptStops(t *testing.T) {
	ctx, stop := NotifyInterrupt(context.Background())
	defer stop()
	p, _ := os.FindProcess(os.Getpid())
	if err := p.Signal(os.Interrupt); err != nil {
		t.Skipf("cannot signal myself: %v", err)
	}
	<-ctx.Done() // hangs (and times out) if SIGINT did not cancel it
}
