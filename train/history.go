package train

import (
	"encoding/json"
	"fmt"
	"os"
)

// History records every epoch's metrics, one slice per metric indexed by
// epoch, in the shape of Keras's History.history dictionary so it plots and
// serialises the same way. The validation slices stay empty when training
// has no validation data.
type History struct {
	Epoch        []int     `json:"epoch"` // counted from 1, as printed
	Loss         []float64 `json:"loss"`
	Accuracy     []float64 `json:"accuracy"`
	ValLoss      []float64 `json:"val_loss,omitempty"`
	ValAccuracy  []float64 `json:"val_accuracy,omitempty"`
	Seconds      []float64 `json:"seconds"` // wall time of the epoch, validation included
	LearningRate []float64 `json:"learning_rate"`
}

// EpochLogs are the results of one epoch, as callbacks receive them and
// History stores them.
type EpochLogs struct {
	Epoch        int // counted from 0, as Keras callbacks receive it
	Loss         float64
	Accuracy     float64
	HasVal       bool // ValLoss and ValAccuracy were measured
	ValLoss      float64
	ValAccuracy  float64
	Seconds      float64
	LearningRate float64
}

// Len is the number of epochs recorded.
func (h *History) Len() int { return len(h.Epoch) }

// Append records one epoch.
func (h *History) Append(l EpochLogs) {
	h.Epoch = append(h.Epoch, l.Epoch+1)
	h.Loss = append(h.Loss, l.Loss)
	h.Accuracy = append(h.Accuracy, l.Accuracy)
	if l.HasVal {
		h.ValLoss = append(h.ValLoss, l.ValLoss)
		h.ValAccuracy = append(h.ValAccuracy, l.ValAccuracy)
	}
	h.Seconds = append(h.Seconds, l.Seconds)
	h.LearningRate = append(h.LearningRate, l.LearningRate)
}

// Validate checks that the slices line up: every metric has one value per
// epoch, and validation metrics either one per epoch or none.
func (h *History) Validate() error {
	n := h.Len()
	for _, c := range []struct {
		name string
		n    int
	}{{"loss", len(h.Loss)}, {"accuracy", len(h.Accuracy)}, {"seconds", len(h.Seconds)}, {"learning_rate", len(h.LearningRate)}} {
		if c.n != n {
			return fmt.Errorf("train: history has %d %s values for %d epochs", c.n, c.name, n)
		}
	}
	if v := len(h.ValLoss); v != len(h.ValAccuracy) || (v != 0 && v != n) {
		return fmt.Errorf("train: history has %d val_loss and %d val_accuracy values for %d epochs", v, len(h.ValAccuracy), n)
	}
	return nil
}

// Save writes the history as indented JSON.
func (h *History) Save(path string) error {
	b, err := json.MarshalIndent(h, "", "  ")
	if err != nil {
		return fmt.Errorf("train: history: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	return nil
}

// LoadHistory reads a history written by Save.
func LoadHistory(path string) (*History, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	h := new(History)
	if err := json.Unmarshal(b, h); err != nil {
		return nil, fmt.Errorf("train: history %s: %w", path, err)
	}
	if err := h.Validate(); err != nil {
		return nil, fmt.Errorf("%w (in %s)", err, path)
	}
	return h, nil
}
