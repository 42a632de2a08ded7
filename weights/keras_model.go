package weights

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/simdnet/simdnet/ops"
)

// isKeras reports whether path names a Keras 2 HDF5 file.
func isKeras(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".h5", ".hdf5":
		return true
	}
	return false
}

// LoadKeras reads a Keras .h5 file saved with model.save into a Model: the
// graph built from the file's model_config, layer by layer through ops'
// registry (so BatchNormalization's epsilon and momentum, padding, strides
// and activations are the file's, not assumed), and the weights assigned
// by layer name, or by layer order where TensorFlow 2 named the layers
// itself. Any architecture whose layers simdnet has loads this way, not
// only the tutorial's ResNets. Load calls it for *.h5 and *.hdf5 files.
func LoadKeras(path string) (*Model, error) {
	k, err := OpenKeras(path)
	if err != nil {
		return nil, err
	}
	defer k.Close()
	g, err := k.Graph()
	if err != nil {
		return nil, err
	}
	meta := map[string]string{"keras_source": filepath.Base(path)}
	if k.KerasVersion != "" {
		meta["keras_version"] = k.KerasVersion
	}
	if k.Backend != "" {
		meta["keras_backend"] = k.Backend
	}
	return &Model{Graph: g, Config: configOf(g), Meta: meta}, nil
}

// Graph builds the network of the file's model_config and assigns it the
// file's weights. Allocations are bounded by the weights the file holds,
// as for simdnet's own files, so a config that lies about its layers'
// sizes gets an error rather than memory.
func (k *KerasFile) Graph() (*ops.Graph, error) {
	if k.ModelConfig == "" {
		return nil, fmt.Errorf("weights: %s: the file has no model_config (Keras's save_weights writes none): it describes no network; name an architecture (--arch)", k.path)
	}
	lim := graphLimits{params: layerBudgets(k.Tensors()), activation: DefaultMaxActivation}
	g, err := unmarshalGraph([]byte(k.ModelConfig), nil, lim)
	if err != nil {
		return nil, fmt.Errorf("weights: %s: model_config: %w", k.path, err)
	}
	src, err := k.sourceFor(targetsOf(g.Params()))
	if err != nil {
		return nil, err
	}
	if err := assign(g, src, "its model_config", false); err != nil {
		return nil, err
	}
	return g, nil
}
