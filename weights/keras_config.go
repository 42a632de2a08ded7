package weights

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/simdnet/simdnet/resnet"
)

// InferConfig completes cfg from what the file says about its model and
// returns it; fields already set are kept, the seed is left alone.
//
//   - InputShape: the input layer's batch_input_shape (Keras 2) or
//     batch_shape (Keras 3) in model_config.
//   - Classes: the units of the output Dense layer in model_config, or else
//     the output width of the last layer with a 2-D kernel.
//   - Arch: the registered architecture whose parameters the file's weights
//     match exactly, by name and shape (or by layer order, as ImportKeras
//     matches automatically named layers). Only architectures with as many
//     kernels as the file are tried (each is built once, which costs its
//     memory); none or several matching is an error asking for the name.
//
// A save_weights file has no model_config, so its input shape must be
// given. An unreadable model_config is an error only when a value has to
// come from it.
func (k *KerasFile) InferConfig(cfg resnet.Config) (resnet.Config, error) {
	var mc kerasModel
	var mcErr error
	if k.ModelConfig != "" {
		mcErr = mc.parse(k.ModelConfig)
	}
	if cfg.InputShape == [3]int{} {
		switch {
		case mcErr != nil:
			return cfg, fmt.Errorf("weights: %s: reading the input shape from model_config: %w", k.path, mcErr)
		case mc.input == nil:
			return cfg, fmt.Errorf("weights: %s: the input shape is not recorded in the file (it has no model_config input shape); give it", k.path)
		}
		cfg.InputShape = *mc.input
	}
	if cfg.Classes == 0 {
		cfg.Classes = mc.classes
		if cfg.Classes == 0 {
			cfg.Classes = k.lastDenseUnits()
		}
		if cfg.Classes == 0 {
			return cfg, fmt.Errorf("weights: %s: cannot tell the number of classes; give it", k.path)
		}
	}
	if err := checkLoadable(cfg, statsOf(k.Tensors())); err != nil {
		return cfg, fmt.Errorf("weights: %s: %w", k.path, err)
	}
	if cfg.Arch == "" {
		arch, err := k.inferArch(cfg)
		if err != nil {
			return cfg, err
		}
		cfg.Arch = arch
	}
	return cfg, nil
}

// lastDenseUnits returns the output width of the last layer whose kernel is
// 2-D ([in, units], a Dense layer's), or 0.
func (k *KerasFile) lastDenseUnits() int {
	for i := len(k.Layers) - 1; i >= 0; i-- {
		for _, w := range k.Layers[i].Weights {
			if paramName(w.Name) == "kernel" && len(w.Shape) == 2 {
				return w.Shape[1]
			}
		}
	}
	return 0
}

// inferArch finds the registered architecture whose parameters match the
// file's weights exactly, by name or, for automatically named layers, by
// order (as ImportKeras matches them). Only architectures as deep as the
// file's kernels allow are built and tried.
func (k *KerasFile) inferArch(cfg resnet.Config) (string, error) {
	kernels := 0
	for _, t := range k.Tensors() {
		if strings.HasSuffix(t.Name, "/kernel") {
			kernels++
		}
	}
	var tried, found []string
	for _, name := range resnet.Names() {
		// A ResNet's kernels are its main path's (Depth) plus at most one
		// projection shortcut per stage.
		a, _ := resnet.Lookup(name)
		if kernels < a.Depth() || kernels > a.Depth()+len(a.Stages) {
			continue
		}
		tried = append(tried, name)
		c := cfg
		c.Arch = name
		want, err := targetsOfConfig(c)
		if err != nil {
			continue // e.g. an input too small for this architecture
		}
		if src, err := k.sourceFor(want); err == nil && len(match(want, src.Tensors())) == 0 {
			found = append(found, name)
		}
	}
	switch {
	case len(found) == 1:
		return found[0], nil
	case len(found) > 1:
		return "", fmt.Errorf("weights: %s: the weights fit several architectures (%s); give one", k.path, strings.Join(found, ", "))
	case len(tried) == 0:
		return "", fmt.Errorf("weights: %s: no registered architecture has %d convolution and dense kernels; give the architecture", k.path, kernels)
	}
	return "", fmt.Errorf("weights: %s: the weights fit none of the architectures with %d kernels (%s); give the architecture", k.path, kernels, strings.Join(tried, ", "))
}

// kerasModel is what InferConfig takes from a model_config.
type kerasModel struct {
	input   *[3]int // per-sample input shape, if recorded with no None
	classes int     // units of the output Dense layer, if any
}

// kerasLayerJSON is one entry of a model_config's layer list, reduced to
// the fields used. Keras writes many more; they are ignored.
type kerasLayerJSON struct {
	ClassName string `json:"class_name"`
	Name      string `json:"name"`
	Config    struct {
		Name            string `json:"name"`
		BatchInputShape []*int `json:"batch_input_shape"`
		BatchShape      []*int `json:"batch_shape"`
		Units           int    `json:"units"`
	} `json:"config"`
}

// parse reads a model_config: {"class_name": "Model" | "Functional" |
// "Sequential", "config": {"layers": [...], "output_layers": [...]}}, where
// old Sequential models put the layer list directly under "config".
func (m *kerasModel) parse(s string) error {
	var top struct {
		Config json.RawMessage `json:"config"`
	}
	if err := json.Unmarshal([]byte(s), &top); err != nil {
		return err
	}
	var model struct {
		Layers       []kerasLayerJSON `json:"layers"`
		OutputLayers json.RawMessage  `json:"output_layers"`
	}
	if err := json.Unmarshal(top.Config, &model.Layers); err != nil {
		if err := json.Unmarshal(top.Config, &model); err != nil {
			return err
		}
	}
	for _, l := range model.Layers {
		shape := l.Config.BatchInputShape
		if shape == nil {
			shape = l.Config.BatchShape
		}
		if len(shape) == 4 && shape[1] != nil && shape[2] != nil && shape[3] != nil {
			m.input = &[3]int{*shape[1], *shape[2], *shape[3]}
			break // the first: the model's input
		}
	}
	out := outputLayerName(model.OutputLayers)
	for _, l := range model.Layers {
		if l.ClassName != "Dense" {
			continue
		}
		m.classes = l.Config.Units // the last Dense, unless the output is one
		if name := layerName(l); name != "" && name == out {
			break
		}
	}
	return nil
}

func layerName(l kerasLayerJSON) string {
	if l.Name != "" {
		return l.Name
	}
	return l.Config.Name
}

// outputLayerName reads output_layers, [["fc6", 0, 0]] or for one output in
// some versions ["fc6", 0, 0]; it returns "" when there is no single output.
func outputLayerName(raw json.RawMessage) string {
	var many [][]any
	if json.Unmarshal(raw, &many) == nil && len(many) == 1 && len(many[0]) > 0 {
		s, _ := many[0][0].(string)
		return s
	}
	var one []any
	if json.Unmarshal(raw, &one) == nil && len(one) > 0 {
		s, _ := one[0].(string)
		return s
	}
	return ""
}
