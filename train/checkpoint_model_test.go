package train

import (
	"math"
	"path/filepath"
	"slices"
	"testing"

	"github.com/simdnet/simdnet/resnet"
	"github.com/simdnet/simdnet/weights"
)

// TestCheckpointIsAModelFile: with ModelConfig the checkpoint is the one
// format of weights — Load gives the network with the trainer's weights,
// the optimizer's tensors ignored; LoadCheckpoint gives those too — and Fit
// still resumes it.
func TestCheckpointIsAModelFile(t *testing.T) {
	singleThreaded(t)
	cfg := resnet.Config{Arch: "resnet8", InputShape: [3]int{32, 32, 3}, Classes: 3, Seed: 4}
	g, err := cfg.Build()
	if err != nil {
		t.Fatal(err)
	}
	tr, err := NewTrainer(g, nil)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "run.ckpt")
	train := tinyData(8, 1).Resized(32, 32)
	fc := FitConfig{Epochs: 1, BatchSize: 4, Seed: 1, Checkpoint: path, ModelConfig: &cfg}
	if _, err := Fit(tr, train, nil, fc); err != nil {
		t.Fatal(err)
	}

	m, err := weights.Load(path)
	if err != nil {
		t.Fatalf("weights.Load of a training checkpoint: %v", err)
	}
	if m.Config != cfg || !slices.Equal(m.Classes, train.Classes) {
		t.Errorf("config %+v, classes %q; want %+v, %q", m.Config, m.Classes, cfg, train.Classes)
	}
	want, got := Params(g), Params(m.Graph)
	if len(want) != len(got) {
		t.Fatalf("%d parameters loaded, want %d", len(got), len(want))
	}
	for i := range want {
		for j, v := range want[i].Param.Value {
			if math.Float32bits(v) != math.Float32bits(got[i].Param.Value[j]) {
				t.Fatalf("%s[%d] = %g, the trainer has %g", got[i].Key(), j, got[i].Param.Value[j], v)
			}
		}
	}
	ck, err := weights.LoadCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	if it := ck.Extra["adam/iterations"]; it == nil || it.Data[0] != 2 {
		t.Errorf("adam/iterations in the checkpoint: %v, want 2 steps", it)
	}

	fc.Epochs, fc.Resume = 2, true
	g2, _ := cfg.Build()
	tr2, err := NewTrainer(g2, nil)
	if err != nil {
		t.Fatal(err)
	}
	if h, err := Fit(tr2, train, nil, fc); err != nil || h.Len() != 2 {
		t.Fatalf("resuming a model-file checkpoint: %v", err)
	}
}
