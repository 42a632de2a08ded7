package train

import (
	"errors"
	"fmt"
)

// ErrStopTraining, returned (or wrapped) by a callback, ends Fit early and
// cleanly: the run's state is checkpointed and Fit returns the history and
// no error, as Keras does when a callback sets model.stop_training.
var ErrStopTraining = errors.New("train: training stopped by a callback")

// BatchLogs are the results of one training step.
type BatchLogs struct {
	StepResult // of this batch alone
	// Loss and Accuracy so far this epoch: running means over its samples,
	// as the progress bar shows them.
	Loss, Accuracy float64
}

// Callback observes and steers Fit. Epochs and batches count from 0. A
// method that returns ErrStopTraining stops training; any other error
// aborts Fit with that error.
type Callback interface {
	// OnEpochBegin runs before the first batch of an epoch (not again when
	// a run resumes inside an epoch: that epoch has begun already).
	OnEpochBegin(t *Trainer, epoch int) error
	// OnBatchEnd runs after every optimizer step.
	OnBatchEnd(t *Trainer, epoch, batch int, logs BatchLogs) error
	// OnEpochEnd runs after validation, with the epoch's results, before
	// the checkpoint is written, so changes it makes are saved.
	OnEpochEnd(t *Trainer, epoch int, logs EpochLogs) error
}

// CallbackFuncs is a Callback made of optional functions; nil ones do
// nothing.
type CallbackFuncs struct {
	EpochBegin func(t *Trainer, epoch int) error
	BatchEnd   func(t *Trainer, epoch, batch int, logs BatchLogs) error
	EpochEnd   func(t *Trainer, epoch int, logs EpochLogs) error
}

func (c CallbackFuncs) OnEpochBegin(t *Trainer, epoch int) error {
	if c.EpochBegin == nil {
		return nil
	}
	return c.EpochBegin(t, epoch)
}

func (c CallbackFuncs) OnBatchEnd(t *Trainer, epoch, batch int, logs BatchLogs) error {
	if c.BatchEnd == nil {
		return nil
	}
	return c.BatchEnd(t, epoch, batch, logs)
}

func (c CallbackFuncs) OnEpochEnd(t *Trainer, epoch int, logs EpochLogs) error {
	if c.EpochEnd == nil {
		return nil
	}
	return c.EpochEnd(t, epoch, logs)
}

// LearningRateScheduler is Keras's callback of that name: at the start of
// every epoch it sets the optimizer's learning rate to schedule(epoch, lr),
// lr being the current rate. Because a resumed epoch does not begin again,
// a schedule relative to lr (lr·0.9) is applied once per epoch even across
// a resume.
func LearningRateScheduler(schedule func(epoch int, lr float64) float64) Callback {
	return CallbackFuncs{EpochBegin: func(t *Trainer, epoch int) error {
		opt := t.Optimizer()
		lr := schedule(epoch, opt.LearningRate())
		if !(lr > 0) {
			return fmt.Errorf("train: learning-rate schedule gave %g for epoch %d", lr, epoch)
		}
		opt.SetLearningRate(lr)
		return nil
	}}
}
