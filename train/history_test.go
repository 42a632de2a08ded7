package train

import (
	"path/filepath"
	"reflect"
	"testing"
)

func TestHistoryJSONRoundTrip(t *testing.T) {
	h := &History{}
	h.Append(EpochLogs{Epoch: 0, Loss: 1.5, Accuracy: 0.25, HasVal: true, ValLoss: 1.75, ValAccuracy: 0.2, Seconds: 12.5, LearningRate: 1e-3})
	h.Append(EpochLogs{Epoch: 1, Loss: 0.1 + 0.2, Accuracy: 1.0 / 3, HasVal: true, ValLoss: 1e-9, ValAccuracy: 1, Seconds: 11, LearningRate: 5e-4})
	path := filepath.Join(t.TempDir(), "history.json")
	if err := h.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := LoadHistory(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, h) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, h)
	}
	if got.Epoch[1] != 2 {
		t.Errorf("epochs are stored from 1: %v", got.Epoch)
	}
}

func TestHistoryWithoutValidation(t *testing.T) {
	h := &History{}
	h.Append(EpochLogs{Loss: 1})
	if err := h.Validate(); err != nil || len(h.ValLoss) != 0 {
		t.Errorf("no validation: %v, val_loss %v", err, h.ValLoss)
	}
	h.ValLoss = []float64{1, 2}
	h.ValAccuracy = []float64{1, 2}
	if err := h.Validate(); err == nil {
		t.Error("2 validation values for 1 epoch: no error")
	}
}
