package weights

import (
	"fmt"

	"github.com/simdnet/simdnet/resnet"
	"maps"
	"slices"

	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/weights/safetensors"
)

// LoadOption configures Load.
type LoadOption func(*loadConfig)

type loadConfig struct {
	readOnly      bool
	maxActivation int
}

func newLoadConfig(opts []LoadOption) loadConfig {
	lc := loadConfig{maxActivation: DefaultMaxActivation}
	for _, o := range opts {
		o(&lc)
	}
	return lc
}

// WithMaxActivation raises (or lowers) the most values per sample a layer's
// output may have in the graph a file describes, DefaultMaxActivation by
// default; a file beyond it is refused before anything is allocated.
func WithMaxActivation(n int) LoadOption {
	return func(c *loadConfig) { c.maxActivation = n }
}

// ReadOnly makes Load point the model's parameters into the memory-mapped
// file instead of copying them: loading costs no memory and little time,
// and processes serving the same file share its pages. The model is meant
// for inference, and the caller must Close it when done:
//
//   - the mapping is private and copy-on-write: a write to a parameter
//     (training, or a Training-mode Forward, which updates the batch
//     normalisation statistics) copies the pages it touches into this
//     process's memory and changes neither the file nor other processes.
//     It costs the memory ReadOnly saved, for those pages.
//   - Close cuts the parameters loose from the mapping before releasing it:
//     their Values become nil, so running the model afterwards returns an
//     error naming a layer (or a recoverable panic in code that indexes a
//     parameter itself), never a fault. Plans compiled from the graph
//     before Close hold their own packed copies and keep working. A slice
//     taken from a parameter before Close is the one thing that must not
//     be used after it; Close must not run while the model is in use.
//
// Tensors the file does not store as aligned F32 (F16 files, say) are
// converted into ordinary memory as usual.
func ReadOnly() LoadOption {
	return func(c *loadConfig) { c.readOnly = true }
}

// Load reads a model file written by Save (or SaveCheckpoint, whose extra
// tensors it ignores) and rebuilds the model from the configuration stored
// in it: one call, with no knowledge of the architecture, yields a
// runnable graph with the file's weights, in Inference or Training mode.
//
// By default the weights are copied into the graph's own storage and the
// file is closed before Load returns; see ReadOnly for the zero-copy
// alternative. Errors name the file: a *safetensors.FormatError for a
// malformed file, a *MismatchError when its tensors do not fit the
// configuration it declares. A Keras file (*.h5, *.hdf5) saved with
// model.save is read by LoadKeras; the options do not apply to it.
func Load(path string, opts ...LoadOption) (*Model, error) {
	if isKeras(path) {
		return LoadKeras(path)
	}
	lc := newLoadConfig(opts)
	f, err := safetensors.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m, _, err := decodeWith(f, lc.readOnly, false, lc)
	if err != nil || !lc.readOnly {
		f.Close()
	}
	return m, err
}

// decode builds the model a parsed model file describes and assigns its
// weights, sharing the file's memory when share is set. With withExtra it
// also returns copies of the extra tensors; otherwise it only checks that
// they exist.
func decode(f *safetensors.File, share, withExtra bool) (*Model, map[string]*ops.Tensor, error) {
	return decodeWith(f, share, withExtra, newLoadConfig(nil))
}

// decodeWith is decode with Load's options.
func decodeWith(f *safetensors.File, share, withExtra bool, lc loadConfig) (*Model, map[string]*ops.Tensor, error) {
	fail := func(err error) error { return fmt.Errorf("weights: %s: %w", f.Name(), err) }
	h, err := decodeHeader(f.Metadata())
	if err != nil {
		return nil, nil, fail(err)
	}
	extra := make(map[string]bool, len(h.extra))
	for _, name := range h.extra {
		if _, ok := f.Tensor(name); !ok {
			return nil, nil, fail(fmt.Errorf("extra tensor %q is listed in the metadata but not stored", shortName(name)))
		}
		extra[name] = true
	}
	weights := stSource{f: f, skip: extra}
	g, cfg, err := buildGraph(h, weights.Tensors(), lc)
	if err != nil {
		return nil, nil, fail(err)
	}
	if n := outputWidth(g); h.classes != nil && len(h.classes) != n {
		return nil, nil, fail(fmt.Errorf("%d class names for %d outputs", len(h.classes), n))
	}
	model := cfg.Arch
	if model == "" {
		model = "the graph " + graphName(g) + " it describes"
	}
	if err := assign(g, weights, model, share); err != nil {
		return nil, nil, err
	}
	var tensors map[string]*ops.Tensor
	if withExtra {
		tensors = make(map[string]*ops.Tensor, len(extra))
		for _, name := range slices.Sorted(maps.Keys(extra)) {
			info, _ := f.Tensor(name)
			v, err := f.Float32(name)
			if err != nil {
				return nil, nil, err // names the file and tensor: an integer dtype, say
			}
			// Clone: extras are optimizer state, written to as training resumes.
			tensors[name] = &ops.Tensor{Shape: ops.Shape(info.Shape).Clone(), Data: slices.Clone(v)}
		}
	}
	m := &Model{Graph: g, Config: cfg, Classes: h.classes, Meta: h.meta}
	if share {
		m.file = f
	}
	return m, tensors, nil
}

// buildGraph builds the graph a file's header describes, with zero
// weights, bounding every allocation by the tensors ts the file stores:
// from the layer-by-layer description of a version 2 file, or from the
// registered ResNet a version 1 file names. It returns the file's
// resnet.Config, or one describing the graph (see Model.Config).
func buildGraph(h *header, ts []TensorInfo, lc loadConfig) (*ops.Graph, resnet.Config, error) {
	if h.graph == nil { // version 1
		cfg := *h.config
		if h.classes != nil && len(h.classes) != cfg.Classes {
			return nil, cfg, fmt.Errorf("%d class names for %d classes", len(h.classes), cfg.Classes)
		}
		if err := checkLoadable(cfg, statsOf(ts)); err != nil {
			return nil, cfg, err
		}
		g, err := cfg.Build()
		return g, cfg, err
	}
	g, err := unmarshalGraph(h.graph, nil, graphLimits{params: layerBudgets(ts), activation: lc.maxActivation})
	if err != nil {
		return nil, resnet.Config{}, err
	}
	if h.config != nil {
		return g, *h.config, nil
	}
	return g, configOf(g), nil
}

// configOf describes a graph in resnet.Config's terms, as far as they go:
// the input shape when it is an image's, the classes when the output is a
// vector; no architecture.
func configOf(g *ops.Graph) resnet.Config {
	var cfg resnet.Config
	if in := g.InputNode().Shape; len(in) == 3 {
		cfg.InputShape = [3]int{in[0], in[1], in[2]}
	}
	if out := g.OutputNode().Shape; len(out) == 1 {
		cfg.Classes = out[0]
	}
	return cfg
}

// outputWidth is the size of the output's last axis: the classes of a
// classifier.
func outputWidth(g *ops.Graph) int {
	s := g.OutputNode().Shape
	return s[len(s)-1]
}

func graphName(g *ops.Graph) string {
	if g.Name == "" {
		return "unnamed"
	}
	return g.Name
}
