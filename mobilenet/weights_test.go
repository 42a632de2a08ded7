package mobilenet

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/simdnet/simdnet/resnet"
	"github.com/simdnet/simdnet/weights"
)

// TestSaveLoad: a MobileNetV2 saved under its registered name loads back
// through the general registry with every parameter, as a ResNet does.
func TestSaveLoad(t *testing.T) {
	cfg := resnet.Config{Arch: V2Name(0.35), InputShape: [3]int{32, 32, 3}, Classes: 4, Seed: 3}
	g, err := cfg.Build()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "mobilenetv2.safetensors")
	if err := weights.Save(path, g, weights.WithArch(cfg)); err != nil {
		t.Fatal(err)
	}
	m, err := weights.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if m.Config != cfg {
		t.Errorf("config %+v, want %+v", m.Config, cfg)
	}
	want, got := g.Params(), m.Graph.Params()
	if len(got) != len(want) {
		t.Fatalf("%d parameters loaded, %d saved", len(got), len(want))
	}
	for i := range want {
		if want[i].Param.Name != got[i].Param.Name || !slices.Equal(want[i].Param.Value, got[i].Param.Value) {
			t.Fatalf("parameter %d (%s of %s) differs after loading", i, want[i].Param.Name, want[i].Layer)
		}
	}
}
