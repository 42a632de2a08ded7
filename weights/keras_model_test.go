package weights

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/resnet"
)

// TestLoadKerasModelConfig loads a Keras file whose network is none of
// simdnet's architectures (an inverted residual block, MobileNetV2-style)
// in one call, from its model_config, and compares with numpy's outputs;
// BatchNormalization takes the file's epsilons and momentum, which differ
// from simdnet's defaults (with variances of 1e-3 to 4e-3, an epsilon of 1e-3
// instead of 1e-5 would move the logits far past the tolerance).
func TestLoadKerasModelConfig(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "keras_mobile_expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var e kerasExpected
	if err := json.Unmarshal(raw, &e); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "keras_mobile.h5")
	m, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if m.Config.InputShape != [3]int{12, 12, 3} || m.Config.Classes != 5 || m.Config.Arch != "" || m.Meta["keras_version"] != "2.4.0" {
		t.Errorf("config %+v, meta %v", m.Config, m.Meta)
	}
	eps := map[string]float32{}
	for _, l := range m.Graph.Layers() {
		if bn, ok := l.(*ops.BatchNormalization); ok {
			eps[bn.Name] = bn.Epsilon
			if bn.Momentum != 0.999 {
				t.Errorf("%s: momentum %v, want the file's 0.999", bn.Name, bn.Momentum)
			}
		}
	}
	if eps["expanded_conv_depthwise_BN"] != 1e-5 || eps["bn_Conv1"] != 1e-3 {
		t.Errorf("epsilons %v, want the file's", eps)
	}
	checkFixtureOutputs(t, m.Graph, &e)

	// Converted with no architecture named, the file keeps that graph.
	out := filepath.Join(t.TempDir(), "mobile.safetensors")
	if err := ConvertKerasToSafetensors(path, out, resnet.Config{}, []string{"a", "b", "c", "d", "e"}); err != nil {
		t.Fatal(err)
	}
	c, err := Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if c.Config.Arch != "" || len(c.Classes) != 5 || c.Meta["keras_source"] != "keras_mobile.h5" {
		t.Errorf("converted: config %+v, classes %v, meta %v", c.Config, c.Classes, c.Meta)
	}
	checkFixtureOutputs(t, c.Graph, &e)

	// What was asked for must agree with the file's network.
	err = ConvertKerasToSafetensors(path, out, resnet.Config{Classes: 7}, nil)
	if err == nil || !strings.Contains(err.Error(), "not the 7 classes asked for") {
		t.Errorf("7 classes: error %v", err)
	}
	// save_weights files carry no network.
	if _, err := LoadKeras(filepath.Join("testdata", "keras_weights.h5")); err == nil || !strings.Contains(err.Error(), "no model_config") {
		t.Errorf("save_weights file: error %v", err)
	}
}
