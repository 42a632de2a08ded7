package weights

import (
	"path/filepath"

	"github.com/simdnet/simdnet/resnet"
)

// ConvertKerasToSafetensors turns the Keras 2 HDF5 file in into the model
// file out, as Save writes it. Zero fields of cfg are inferred from the file
// (see KerasFile.InferConfig); classes, when not nil, are the class names
// and also give the number of classes. The file's provenance is recorded
// in the metadata (keras_source, keras_version, keras_backend). opts are
// Save's, e.g. WithDtype(safetensors.F16) for a half-size file.
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
	if cfg, err = k.InferConfig(cfg); err != nil {
		return err
	}
	g, err := cfg.Build()
	if err != nil {
		return err
	}
	src, err := k.sourceFor(targetsOf(g.Params()))
	if err != nil {
		return err
	}
	if err := assign(g, src, cfg.Arch, false); err != nil {
		return err
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
	return Save(out, g, append(append(all, WithArch(cfg)), opts...)...)
}
