package train

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/resnet"
	"github.com/simdnet/simdnet/train/data"
)

// ErrInterrupted is returned (wrapped) by Fit when its context is cancelled:
// the step under way was finished and, if FitConfig.Checkpoint is set, the
// run was saved there so that Resume continues it. The error wraps the
// context's cause too: an *InterruptSignal when NotifyInterrupt's context
// was cancelled by a signal.
var ErrInterrupted = errors.New("train: interrupted")

// FitConfig configures Fit. The zero value of a field is its default.
type FitConfig struct {
	// Epochs is the epoch to stop at, counted from 0 like Keras's epochs
	// argument: with InitialEpoch 0 it is the number of epochs.
	Epochs int
	// InitialEpoch is the epoch a fresh run starts at (Keras's
	// initial_epoch), e.g. to continue from weights loaded by hand. A
	// resumed run starts where its checkpoint stands instead.
	InitialEpoch int
	// BatchSize is the mini-batch size: 32 by default, as in Keras.
	BatchSize int
	// Seed draws the order of every epoch and the augmentation.
	Seed uint64
	// NoShuffle visits the training images in dataset order; by default
	// every epoch has its own permutation, as Keras's shuffle=True.
	NoShuffle bool
	// Augment turns on light augmentation of the training images:
	// Augmentation, or data.DefaultAugmentation when that is nil.
	Augment      bool
	Augmentation *data.Augmentation

	// ValidationBN, when set, makes every epoch's validation use BatchNorm
	// statistics recomputed over these images (RecalibrateBatchNorm) in
	// place of the moving averages, which are put back afterwards, so the
	// training itself and a resume are unchanged. With Keras's momentum
	// (0.99, or MobileNetV2's 0.999) on a small data set the moving
	// averages trail the weights by several epochs, and the validation
	// curve shows that lag (chance accuracy for MobileNetV2 on SIGNS)
	// rather than the model. It costs a forward pass over the images each
	// epoch: a few hundred training images without augmentation suffice.
	ValidationBN *data.Dataset

	Callbacks []Callback
	// Progress receives Keras's progress bar; nil prints nothing. A
	// terminal gets a live bar, anything else one line per epoch.
	Progress io.Writer

	// Checkpoint is the file the whole run is saved to at the end of
	// every epoch and when interrupted or stopped; "" saves nothing.
	Checkpoint string
	// Resume continues the run saved in Checkpoint, which must have been
	// made with the same Seed, BatchSize, shuffling, augmentation, training
	// set size and Settings — Fit refuses with a *SettingsError naming
	// every difference otherwise; a missing file starts a fresh run.
	Resume bool
	// ResumeAnyway resumes despite different settings: the weights, the
	// optimizer's state and the position come from the checkpoint, every
	// setting (the optimizer's learning rate included) from this run. An
	// epoch in progress restarts from its first batch when the batches
	// differ (seed, batch size, samples or shuffling). The result is then
	// no longer bit for bit that of an uninterrupted run of either setting.
	ResumeAnyway bool
	// Settings are what else fixes the run and must match on resume: the
	// learning rate and its schedule, the number of epochs a schedule
	// spans, the architecture, an identity of the data (file names, sizes,
	// a hash)... Fit cannot see them, so the caller names them; they are
	// saved in the checkpoint and compared as strings.
	Settings map[string]string
	// ModelConfig, when set, is the configuration the trained graph was
	// built from; every checkpoint is then a model file too (weights.Load
	// and "simdnet eval/predict" read it, ignoring the optimizer's state).
	ModelConfig *resnet.Config

	// Context interrupts training when cancelled; see ErrInterrupted and
	// NotifyInterrupt. Nil never interrupts.
	Context context.Context
}

// Fit trains t on train for the configured epochs, as Keras's model.fit:
// each epoch visits the training images in batches in a fresh order,
// takes one optimizer step per batch, and then, if val is not nil,
// measures the validation loss and accuracy. Both data sets are used as
// they are: call Scaled on uint8 images to train on [0, 1] values.
//
// Fit returns the history of every epoch, a resumed run's earlier epochs
// included. The history is returned with the error too, holding the epochs
// that finished.
func Fit(t *Trainer, train, val *data.Dataset, cfg FitConfig) (*History, error) {
	r, err := newFitRun(t, train, val, cfg)
	if err != nil {
		return nil, err
	}
	for r.st.Epoch < r.cfg.Epochs {
		err := r.epoch()
		switch {
		case err == nil:
			continue
		case errors.Is(err, ErrStopTraining):
			return r.h, r.save()
		case errors.Is(err, ErrInterrupted):
			r.prog.abort()
			if serr := r.save(); serr != nil {
				return r.h, errors.Join(err, serr)
			}
			return r.h, fmt.Errorf("%w (%w) at epoch %d, batch %d of %d%s", ErrInterrupted, context.Cause(r.cfg.Context),
				r.st.Epoch+1, r.st.Batch, r.loader.NumBatches(), r.savedTo())
		default:
			r.prog.abort()
			return r.h, err
		}
	}
	return r.h, nil
}

// fitRun is one call of Fit.
type fitRun struct {
	t      *Trainer
	cfg    FitConfig
	loader *data.Loader
	val    *data.Dataset
	st     runState
	h      *History
	prog   *progress
}

// newFitRun checks the configuration against the model and data, applies
// the defaults and, when resuming, restores the checkpoint.
func newFitRun(t *Trainer, train, val *data.Dataset, cfg FitConfig) (*fitRun, error) {
	if cfg.BatchSize == 0 {
		cfg.BatchSize = 32
	}
	if cfg.Context == nil {
		cfg.Context = context.Background()
	}
	if cfg.BatchSize < 0 || cfg.Epochs < 0 || cfg.InitialEpoch < 0 {
		return nil, fmt.Errorf("train: fit: batch size %d, epochs %d, initial epoch %d must not be negative", cfg.BatchSize, cfg.Epochs, cfg.InitialEpoch)
	}
	if cfg.Resume && cfg.Checkpoint == "" {
		return nil, errors.New("train: fit: Resume needs a Checkpoint file")
	}
	if cfg.ResumeAnyway && !cfg.Resume {
		return nil, errors.New("train: fit: ResumeAnyway without Resume")
	}
	if err := checkData(t, "training", train); err != nil {
		return nil, err
	}
	if cfg.ValidationBN != nil {
		if err := checkData(t, "validation's BatchNorm recalibration", cfg.ValidationBN); err != nil {
			return nil, err
		}
	}
	if val != nil {
		if err := checkData(t, "validation", val); err != nil {
			return nil, err
		}
	}
	var aug *data.Augmentation
	if cfg.Augment {
		aug = &data.DefaultAugmentation
		if cfg.Augmentation != nil {
			aug = cfg.Augmentation
		}
	}
	r := &fitRun{
		t: t, cfg: cfg, val: val, h: new(History), prog: newProgress(cfg.Progress),
		loader: &data.Loader{Data: train, BatchSize: cfg.BatchSize, Shuffle: !cfg.NoShuffle, Seed: cfg.Seed, Augment: aug},
		st: runState{Epoch: cfg.InitialEpoch, runSettings: runSettings{Seed: cfg.Seed, BatchSize: cfg.BatchSize,
			Samples: train.Len(), Shuffle: !cfg.NoShuffle, Augment: aug, Settings: cfg.Settings}},
	}
	if cfg.Resume {
		if err := r.resume(); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// resume restores the run saved in the checkpoint file, if there is one.
func (r *fitRun) resume() error {
	if _, err := os.Stat(r.cfg.Checkpoint); errors.Is(err, os.ErrNotExist) {
		return nil // nothing saved yet: this is the first run
	}
	var diffs []string
	accept := func(st runState) error {
		diffs = st.differences(r.st.runSettings)
		if diffs != nil && !r.cfg.ResumeAnyway {
			return &SettingsError{Checkpoint: r.cfg.Checkpoint, Differences: diffs}
		}
		return nil
	}
	lr := r.t.Optimizer().LearningRate()
	st, h, err := loadCheckpoint(r.cfg.Checkpoint, r.t, accept)
	if err != nil {
		return err
	}
	if diffs != nil { // ResumeAnyway: keep the position, take this run's settings
		if !st.sameBatches(r.st.runSettings) {
			st = runState{Epoch: st.Epoch}
		}
		st.runSettings = r.st.runSettings
		r.t.Optimizer().SetLearningRate(lr)
	}
	r.st, r.h = st, h
	return nil
}

// checkData reports a dataset that does not fit the model's input or
// output.
func checkData(t *Trainer, role string, d *data.Dataset) error {
	if err := d.Validate(); err != nil {
		return fmt.Errorf("train: %s data: %w", role, err)
	}
	g := t.Graph()
	in, out := g.InputNode().Shape, g.OutputNode().Shape
	if want := d.Shape(); !in.Equal(want[:]) {
		return fmt.Errorf("train: %s images are %v, the model takes %v", role, ops.Shape(want[:]), in)
	}
	if len(out) != 1 || len(d.Classes) > out[0] {
		return fmt.Errorf("train: %s data has %d classes, the model outputs %v", role, len(d.Classes), out)
	}
	if d.Len() == 0 {
		return fmt.Errorf("train: no %s images", role)
	}
	return nil
}

// epoch runs (the rest of) the current epoch and checkpoints it.
func (r *fitRun) epoch() error {
	st, nb := &r.st, r.loader.NumBatches()
	if st.Batch == 0 {
		if err := r.each(func(c Callback) error { return c.OnEpochBegin(r.t, st.Epoch) }); err != nil {
			return err
		}
	}
	r.t.SetEpoch(st.Epoch)
	r.prog.beginEpoch(st.Epoch, r.cfg.Epochs, nb, st.Batch, seconds(st.Elapsed))
	start := time.Now().Add(-seconds(st.Elapsed))
	for st.Batch < nb {
		if r.cfg.Context.Err() != nil {
			return ErrInterrupted
		}
		x, labels, err := r.loader.Batch(st.Epoch, st.Batch)
		if err != nil {
			return err
		}
		res, err := r.t.Step(x, labels)
		if err != nil {
			return fmt.Errorf("train: epoch %d, batch %d: %w", st.Epoch+1, st.Batch, err)
		}
		st.LossSum += res.Loss * float64(res.Count)
		st.Correct += res.Correct
		st.Count += res.Count
		st.Batch++
		st.Elapsed = time.Since(start).Seconds()
		logs := BatchLogs{StepResult: res, Loss: st.LossSum / float64(st.Count), Accuracy: float64(st.Correct) / float64(st.Count)}
		r.prog.update(st.Batch, []Metric{{"loss", logs.Loss}, {"accuracy", logs.Accuracy}})
		if err := r.each(func(c Callback) error { return c.OnBatchEnd(r.t, st.Epoch, st.Batch-1, logs) }); err != nil {
			return err
		}
	}
	return r.endEpoch(start)
}

// endEpoch validates, reports and records the finished epoch, and
// checkpoints the run at the start of the next one.
func (r *fitRun) endEpoch(start time.Time) error {
	st := &r.st
	logs := EpochLogs{
		Epoch:        st.Epoch,
		Loss:         st.LossSum / float64(st.Count),
		Accuracy:     float64(st.Correct) / float64(st.Count),
		LearningRate: r.t.Optimizer().LearningRate(),
	}
	metrics := []Metric{{"loss", logs.Loss}, {"accuracy", logs.Accuracy}}
	if r.val != nil {
		var res StepResult
		validate := func() (err error) {
			res, err = evaluate(r.t, r.val, r.cfg.BatchSize, nil)
			return err
		}
		var err error
		if r.cfg.ValidationBN != nil {
			err = withRecalibratedBatchNorm(r.t, r.cfg.ValidationBN, r.cfg.BatchSize, validate)
		} else {
			err = validate()
		}
		if err != nil {
			return fmt.Errorf("train: epoch %d: validation: %w", st.Epoch+1, err)
		}
		logs.HasVal, logs.ValLoss, logs.ValAccuracy = true, res.Loss, res.Accuracy()
		metrics = append(metrics, Metric{"val_loss", logs.ValLoss}, Metric{"val_accuracy", logs.ValAccuracy})
	}
	logs.Seconds = time.Since(start).Seconds()
	r.prog.finish(metrics)
	r.h.Append(logs)
	stop := r.each(func(c Callback) error { return c.OnEpochEnd(r.t, st.Epoch, logs) })
	*st = runState{Epoch: st.Epoch + 1, runSettings: st.runSettings}
	if err := r.save(); err != nil {
		return err
	}
	return stop
}

// each calls f on every callback in order, stopping at the first error.
func (r *fitRun) each(f func(Callback) error) error {
	for _, c := range r.cfg.Callbacks {
		if err := f(c); err != nil {
			return err
		}
	}
	return nil
}

// save checkpoints the run if a checkpoint file is configured.
func (r *fitRun) save() error {
	if r.cfg.Checkpoint == "" {
		return nil
	}
	return saveCheckpoint(r.cfg.Checkpoint, r.t, r.st, r.h, r.cfg.ModelConfig, r.loader.Data.Classes)
}

// savedTo describes where an interrupted run was saved, for its error.
func (r *fitRun) savedTo() string {
	if r.cfg.Checkpoint == "" {
		return " (no checkpoint configured)"
	}
	return "; saved to " + r.cfg.Checkpoint
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
