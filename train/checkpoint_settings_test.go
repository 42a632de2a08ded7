package train

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestFitResumeRefusesOtherSettings: every setting the caller names is
// saved and compared, the refusal names each difference and leaves the
// trainer as it was, and ResumeAnyway continues with this run's settings.
func TestFitResumeRefusesOtherSettings(t *testing.T) {
	singleThreaded(t)
	path := filepath.Join(t.TempDir(), "run.ckpt")
	train := tinyData(12, 1)
	cfg := fitConfig(1, path)
	cfg.Settings = map[string]string{"--lr": "0.001", "--epochs": "1", "--data": "12 images, sha256 ab"}
	if _, err := Fit(tinyModel(t, 1), train, nil, cfg); err != nil {
		t.Fatal(err)
	}

	cfg = fitConfig(2, path)
	cfg.Resume, cfg.BatchSize = true, 4
	cfg.Settings = map[string]string{"--lr": "0.01", "--epochs": "2", "--data": "12 images, sha256 ab", "--arch": "resnet8"}
	tr := tinyModel(t, 5)
	before := slices.Clone(Params(tr.Graph())[0].Param.Value)
	_, err := Fit(tr, train, nil, cfg)
	var se *SettingsError
	if !errors.As(err, &se) {
		t.Fatalf("resume with other settings: err = %v, want a *SettingsError", err)
	}
	want := []string{"batch size 8 (this run: 4)", "--epochs 1 (this run: 2)", "--lr 0.001 (this run: 0.01)", "--arch not recorded (this run: resnet8)"}
	if !slices.Equal(se.Differences, want) || se.Checkpoint != path {
		t.Errorf("differences %q, want %q", se.Differences, want)
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name the checkpoint", err)
	}
	if !slices.Equal(before, Params(tr.Graph())[0].Param.Value) {
		t.Error("a refused resume changed the weights")
	}

	// Anyway: the checkpoint's weights and position, this run's settings
	// and learning rate; one more epoch runs, and the next checkpoint
	// records the new settings.
	cfg.ResumeAnyway = true
	tr.Optimizer().SetLearningRate(0.01)
	h, err := Fit(tr, train, nil, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if h.Len() != 2 || h.LearningRate[1] != float64(float32(0.01)) {
		t.Errorf("resumed anyway: %d epochs, learning rates %v; want 2 epochs, the second at 0.01", h.Len(), h.LearningRate)
	}
	st, _, err := loadCheckpoint(path, tinyModel(t, 1), nil)
	if err != nil || st.Epoch != 2 || st.BatchSize != 4 || st.Settings["--lr"] != "0.01" {
		t.Errorf("checkpoint after resuming anyway: epoch %d, batch size %d, settings %v, %v", st.Epoch, st.BatchSize, st.Settings, err)
	}
	if _, err := Fit(tinyModel(t, 1), train, nil, FitConfig{Epochs: 1, Checkpoint: path, ResumeAnyway: true}); err == nil {
		t.Error("ResumeAnyway without Resume: no error")
	}
}

// TestFitResumeAnywayRestartsAnEpochOfOtherBatches: a position inside an
// epoch only means something with the same batches.
func TestFitResumeAnywayRestartsAnEpochOfOtherBatches(t *testing.T) {
	singleThreaded(t)
	path := filepath.Join(t.TempDir(), "run.ckpt")
	train := tinyData(24, 1)
	stopAt := func(batch int) Callback {
		return CallbackFuncs{BatchEnd: func(_ *Trainer, _, b int, _ BatchLogs) error {
			if b == batch {
				return ErrStopTraining
			}
			return nil
		}}
	}
	cfg := fitConfig(1, path)
	cfg.Callbacks = []Callback{stopAt(1)} // stops after 2 of the 3 batches of 8
	if _, err := Fit(tinyModel(t, 1), train, nil, cfg); err != nil {
		t.Fatal(err)
	}
	var batches []int
	cfg = fitConfig(1, path)
	cfg.Resume, cfg.ResumeAnyway, cfg.BatchSize = true, true, 6
	cfg.Callbacks = []Callback{CallbackFuncs{BatchEnd: func(_ *Trainer, _, b int, _ BatchLogs) error {
		batches = append(batches, b)
		return nil
	}}}
	if _, err := Fit(tinyModel(t, 1), train, nil, cfg); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(batches, []int{0, 1, 2, 3}) {
		t.Errorf("batches of 6 after a stop at batch 2 of 8: ran %v, want the whole epoch 0..3", batches)
	}
}
