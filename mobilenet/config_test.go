package mobilenet

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/simdnet/simdnet/ops"
)

// TestLayersDescribeThemselves: every MobileNetV2 layer gives its Keras
// config and is rebuilt from it with the same class, configuration and
// parameter shapes, which is what a model file carrying the graph needs.
func TestLayersDescribeThemselves(t *testing.T) {
	g := build(t, V2Config{Alpha: 0.35}, [3]int{32, 32, 3}, 5)
	for _, n := range g.Nodes() {
		if n == g.InputNode() {
			continue
		}
		class, cfg, err := ops.LayerConfigOf(n.Layer)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := json.Marshal(cfg)
		if err != nil {
			t.Fatalf("%s: %v", n.Name(), err)
		}
		var in []ops.Shape
		for _, x := range n.Inputs {
			in = append(in, x.Shape)
		}
		spec, err := ops.NewLayerSpec(class, n.Name(), raw, in, -1)
		if err != nil {
			t.Fatalf("%s: %v", n.Name(), err)
		}
		l, err := ops.BuildLayer(spec)
		if err != nil {
			t.Fatalf("%s: %v", n.Name(), err)
		}
		_, cfg2, err := ops.LayerConfigOf(l)
		if err != nil {
			t.Fatal(err)
		}
		raw2, _ := json.Marshal(cfg2)
		if string(raw) != string(raw2) {
			t.Errorf("%s: config %s rebuilt as %s", n.Name(), raw, raw2)
		}
		want, got := n.Layer.Params(), l.Params()
		if len(want) != len(got) {
			t.Fatalf("%s: %d parameters rebuilt as %d", n.Name(), len(want), len(got))
		}
		for i := range want {
			if want[i].Name != got[i].Name || !slices.Equal(want[i].Shape, got[i].Shape) {
				t.Errorf("%s: parameter %s %v rebuilt as %s %v", n.Name(), want[i].Name, want[i].Shape, got[i].Name, got[i].Shape)
			}
		}
	}
}
