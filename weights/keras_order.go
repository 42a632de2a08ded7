package weights

import (
	"fmt"
	"strings"

	"github.com/simdnet/simdnet/ops"
)

// ByOrder pairs the file's weights with g's parameters by position, as
// Keras's own load_weights does by default: the i-th layer with weights in
// layer_names feeds the i-th layer with parameters in g.Layers() (both
// Keras's Model.layers order), weight by weight in Keras's order. It is
// how files whose layers Keras named automatically — conv2d_7,
// batch_normalization_7, as the TensorFlow 2 version of the tutorial
// builds them — load into the tutorial-named graph.
//
// The returned Source names its tensors after g's parameters; it fails
// when the numbers of layers with weights, or of weights in a paired
// layer, differ. Shapes are left to Assign, which lists every mismatch.
func (k *KerasFile) ByOrder(g *ops.Graph) (Source, error) {
	return k.byOrder(targetsOf(g.Params()))
}

// orderedSource is a KerasFile seen through a positional renaming.
type orderedSource struct {
	k      *KerasFile
	infos  []TensorInfo
	rename map[string]string // parameter name → file tensor name
}

func (s *orderedSource) Name() string          { return s.k.path + " (matched by layer order)" }
func (s *orderedSource) Tensors() []TensorInfo { return s.infos }

func (s *orderedSource) Float32(name string) ([]float32, error) {
	file, ok := s.rename[name]
	if !ok {
		return nil, fmt.Errorf("weights: %s: no weight pairs with %q", s.k.path, shortName(name))
	}
	return s.k.Float32(file)
}

func (k *KerasFile) byOrder(want []target) (*orderedSource, error) {
	model := groupByLayer(want)
	var file []KerasLayer
	for _, l := range k.Layers {
		if len(l.Weights) > 0 {
			file = append(file, l)
		}
	}
	if len(file) != len(model) {
		return nil, fmt.Errorf("weights: %s: %d layers with weights, the model has %d", k.path, len(file), len(model))
	}
	s := &orderedSource{k: k, rename: make(map[string]string, len(want))}
	for i, fl := range file {
		ml := model[i]
		if len(fl.Weights) != len(ml.params) {
			return nil, fmt.Errorf("weights: %s: layer %d with weights, %q, has %d of them; the model's, %q, has %d",
				k.path, i+1, shortName(fl.Name), len(fl.Weights), ml.name, len(ml.params))
		}
		for j, w := range fl.Weights {
			p := ml.params[j]
			s.rename[p.name] = w.Tensor
			s.infos = append(s.infos, w.info(p.name))
		}
	}
	return s, nil
}

// layerTargets is one model layer's parameters.
type layerTargets struct {
	name   string
	params []target
}

// groupByLayer splits parameters, listed layer by layer, into layers by
// the "<layer>/" prefix of their names.
func groupByLayer(ts []target) []layerTargets {
	var out []layerTargets
	for _, t := range ts {
		layer := t.name[:max(strings.LastIndexByte(t.name, '/'), 0)]
		if len(out) == 0 || out[len(out)-1].name != layer {
			out = append(out, layerTargets{name: layer})
		}
		out[len(out)-1].params = append(out[len(out)-1].params, t)
	}
	return out
}

// sourceFor chooses how a Keras file's weights meet a model: by name, the
// rule, unless not one of the file's tensor names is a parameter of the
// model — a file whose layers Keras named automatically — and then by
// position (ByOrder).
func (k *KerasFile) sourceFor(want []target) (Source, error) {
	names := make(map[string]bool, len(want))
	for _, t := range want {
		names[t.name] = true
	}
	for _, t := range k.Tensors() {
		if names[t.Name] {
			return k, nil
		}
	}
	return k.byOrder(want)
}
