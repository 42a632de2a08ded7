package train

import (
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/weights/safetensors"
)

func TestCheckpointRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.ckpt")
	tr := tinyModel(t, 1)
	x, labels := tinyData(6, 1).All()
	if _, err := tr.Step(x, labels); err != nil { // non-zero moments and statistics
		t.Fatal(err)
	}
	h := &History{}
	h.Append(EpochLogs{Loss: 1, Accuracy: 0.5, Seconds: 2, LearningRate: 1e-3})
	st := runState{Epoch: 1, Batch: 3, LossSum: 1.25, Correct: 2, Count: 24, Elapsed: 0.5,
		runSettings: runSettings{Seed: 1<<63 + 5, BatchSize: 8, Samples: 26, Shuffle: true, Settings: map[string]string{"lr": "0.001"}}}
	if err := saveCheckpoint(path, tr, st, h, nil, nil); err != nil {
		t.Fatal(err)
	}

	back := tinyModel(t, 2)
	gotSt, gotH, err := loadCheckpoint(path, back, nil)
	if err != nil {
		t.Fatal(err)
	}
	st.Version = checkpointVersion
	if !reflect.DeepEqual(gotSt, st) || gotH.Len() != 1 || gotH.Loss[0] != 1 {
		t.Errorf("state %+v, history %+v; want %+v", gotSt, gotH, st)
	}
	sameWeights(t, tr, back)
	if back.Optimizer().Iterations() != 1 {
		t.Errorf("optimizer iterations %d, want 1", back.Optimizer().Iterations())
	}
	for k, v := range tr.Optimizer().State(Params(tr.Graph())) {
		if w := back.Optimizer().State(Params(back.Graph()))[k]; !slices.Equal(v, w) {
			t.Errorf("optimizer state %s differs after the round trip", k)
		}
	}
}

func TestCheckpointForAnotherModel(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.ckpt")
	if err := saveCheckpoint(path, tinyModel(t, 1), runState{}, &History{}, nil, nil); err != nil {
		t.Fatal(err)
	}
	g := ops.NewGraph(3)
	x := g.Input("", 8, 8, 3)
	x = g.Conv2D(x, ops.Conv2DConfig{Name: "conv1", Filters: 5, KernelSize: [2]int{3, 3}})
	x = g.Flatten(x)
	x = g.Dense(x, ops.DenseConfig{Name: "head", Units: 3, Activation: ops.Softmax})
	g.SetOutput(x)
	other, err := NewTrainer(g, nil)
	if err != nil {
		t.Fatal(err)
	}
	before := slices.Clone(Params(g)[0].Param.Value)
	_, _, err = loadCheckpoint(path, other, nil)
	if err == nil || !strings.Contains(err.Error(), "conv1/kernel has shape (3, 3, 3, 4) in the file, (3, 3, 3, 5) in the model") || !strings.Contains(err.Error(), "head/kernel missing") {
		t.Errorf("loading another model's checkpoint: err = %v", err)
	}
	if !slices.Equal(before, Params(g)[0].Param.Value) {
		t.Error("a failed load changed the weights")
	}
}

func TestCheckpointRejectsModelFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "model.safetensors")
	err := safetensors.WriteFile(path, []safetensors.Tensor{{Name: "x", Shape: []int{1}, Values: []float32{1}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := loadCheckpoint(path, tinyModel(t, 1), nil); err == nil || !strings.Contains(err.Error(), "not a training checkpoint") {
		t.Errorf("plain safetensors file: err = %v", err)
	}
}
