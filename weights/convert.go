package weights

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/resnet"
)

// ConvertKerasToSafetensors turns the Keras 2 HDF5 file in into the model
// file out, as Save writes it. Zero fields of cfg are inferred from the file
// (see KerasFile.InferConfig); classes, when not nil, are the class names
// and also give the number of classes. The file's provenance is recorded
// in the metadata (keras_source, keras_version, keras_backend). opts are
// Save's, e.g. WithDtype(safetensors.F16) for a half-size file.
//
// A file whose network is none of the registered architectures (a Keras
// applications MobileNet, say), given no cfg.Arch, is converted with the
// graph its model_config describes (KerasFile.Graph): the result carries
// that graph and loads like any model file.
//
// Nothing is written unless every weight fits: the error then lists each
// tensor that does not, by name.
func ConvertKerasToSafetensors(in, out string, cfg resnet.Config, classes []string, opts ...SaveOption) error {
	k, err := OpenKeras(in)
	if err != nil {
		return err
	}
	defer k.Close()
	if cfg.Classes == 0 && classes != nil {
		cfg.Classes = len(classes)
	}
	meta := map[string]string{"keras_source": filepath.Base(in)}
	if k.KerasVersion != "" {
		meta["keras_version"] = k.KerasVersion
	}
	if k.Backend != "" {
		meta["keras_backend"] = k.Backend
	}
	all := []SaveOption{WithMeta(meta)}
	if classes != nil {
		all = append(all, WithClasses(classes...))
	}
	inferred, err := k.InferConfig(cfg)
	if err != nil {
		if cfg.Arch != "" || k.ModelConfig == "" {
			return err
		}
		g, gerr := kerasGraphFor(k, cfg)
		if gerr != nil {
			return errors.Join(err, gerr)
		}
		return Save(out, g, append(all, opts...)...)
	}
	g, err := inferred.Build()
	if err != nil {
		return err
	}
	src, err := k.sourceFor(targetsOf(g.Params()))
	if err != nil {
		return err
	}
	if err := assign(g, src, inferred.Arch, false); err != nil {
		return err
	}
	return Save(out, g, append(append(all, WithArch(inferred)), opts...)...)
}

// kerasGraphFor is the file's model_config graph, checked against what the
// caller asked for: an input shape and a number of classes, where given.
func kerasGraphFor(k *KerasFile, cfg resnet.Config) (*ops.Graph, error) {
	g, err := k.Graph()
	if err != nil {
		return nil, err
	}
	got := configOf(g)
	if cfg.InputShape != [3]int{} && cfg.InputShape != got.InputShape {
		return nil, fmt.Errorf("weights: %s: the model_config's input is %v, not the %v asked for", k.path, g.InputNode().Shape, cfg.InputShape)
	}
	if cfg.Classes != 0 && cfg.Classes != got.Classes {
		return nil, fmt.Errorf("weights: %s: the model_config's output has %v values, not the %d classes asked for", k.path, g.OutputNode().Shape, cfg.Classes)
	}
	return g, nil
}
