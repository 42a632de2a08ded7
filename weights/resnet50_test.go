package weights

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/simdnet/simdnet/resnet"
	"github.com/simdnet/simdnet/weights/safetensors"
)

// TestResNet50File saves and loads the tutorial's ResNet50 itself: its 320
// parameter tensors under their Keras names, in F16 as a CLI would ship it.
func TestResNet50File(t *testing.T) {
	if testing.Short() {
		t.Skip("builds ResNet50 three times")
	}
	cfg := resnet.Config{Arch: "resnet50-seed", InputShape: resnet.SignsInput, Classes: resnet.SignsClasses}
	g := build(t, cfg)
	path := filepath.Join(t.TempDir(), "resnet50.safetensors")
	if err := Save(path, g, WithArch(cfg), WithDtype(safetensors.F16)); err != nil {
		t.Fatal(err)
	}
	m, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if m.Config != cfg || len(m.Graph.Params()) != len(g.Params()) {
		t.Fatalf("config %+v, %d params", m.Config, len(m.Graph.Params()))
	}
	f, err := safetensors.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if n := len(f.Names()); n != 320 {
		t.Errorf("%d tensors, want 320", n)
	}
	// The seed variant's stage-5 identity blocks narrow to 256 filters.
	for name, shape := range map[string][]int{
		"conv1/kernel": {7, 7, 3, 64}, "res5b_branch2a/kernel": {1, 1, 2048, 256},
		"bn5c_branch2c/moving_variance": {2048}, "fc6/kernel": {2048, 6},
	} {
		if info, ok := f.Tensor(name); !ok || !slices.Equal(info.Shape, shape) || info.Dtype != safetensors.F16 {
			t.Errorf("%s: %+v, want F16 %v", name, info, shape)
		}
	}
}
