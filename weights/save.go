package weights

import (
	"fmt"
	"maps"
	"slices"

	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/resnet"
	"github.com/simdnet/simdnet/weights/safetensors"
)

// SaveOption configures Save and SaveCheckpoint.
type SaveOption func(*saveConfig)

type saveConfig struct {
	dtype   safetensors.Dtype
	classes []string
	meta    map[string]string
	extra   map[string]*ops.Tensor
	arch    resnet.Config // zero: none (see WithArch)
}

// WithDtype stores every tensor as d: safetensors.F32 (the default and the
// only exact choice), F16, which halves the file at about three significant
// digits, BF16 (the range of F32 at two digits) or F64. Narrowing rounds to
// nearest-even; weights beyond F16's ±65504 become infinite, so F16 suits
// inference files rather than checkpoints to resume training from.
func WithDtype(d safetensors.Dtype) SaveOption {
	return func(c *saveConfig) { c.dtype = d }
}

// WithClasses records the class names, in the order of the model's outputs;
// there must be one per class.
func WithClasses(names ...string) SaveOption {
	return func(c *saveConfig) { c.classes = names }
}

// WithMeta adds free-form string metadata (a training summary, the data set
// used, ...), returned by Load as Model.Meta. Keys starting with "simdnet."
// are reserved. Several WithMeta options merge, later ones winning.
func WithMeta(meta map[string]string) SaveOption {
	return func(c *saveConfig) {
		if c.meta == nil {
			c.meta = map[string]string{}
		}
		maps.Copy(c.meta, meta)
	}
}

// WithArch records that g was built from the registered ResNet
// configuration cfg: Save then checks that g has exactly the parameters cfg
// builds (refusing, with a *MismatchError, a graph that is not what it
// claims) and stores cfg, which Load returns as Model.Config. Builds the
// model cfg describes once per distinct configuration in the process, which
// costs as much memory as the model. Without it, the file describes the
// graph alone.
func WithArch(cfg resnet.Config) SaveOption {
	return func(c *saveConfig) { c.arch = cfg }
}

// Save writes g to path as a safetensors model file, its parameters under
// their Keras names and its graph, layer by layer, in the metadata (see the
// package documentation), so that Load rebuilds it from the file alone,
// whoever built it. Every layer must describe itself (ops.Configurable);
// the error names one that cannot. The file is replaced atomically.
func Save(path string, g *ops.Graph, opts ...SaveOption) error {
	sc := saveConfig{dtype: safetensors.F32}
	for _, o := range opts {
		o(&sc)
	}
	return save(path, g, sc.arch, &sc)
}

// save writes the file; cfg, the zero Config when there is none, is the
// architecture g claims to be built from.
func save(path string, g *ops.Graph, cfg resnet.Config, sc *saveConfig) error {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("weights: save %s: %s", path, fmt.Sprintf(format, args...))
	}
	if !sc.dtype.IsFloat() {
		return fail("cannot store weights as %v", sc.dtype)
	}
	if err := g.Build(); err != nil {
		return fail("%v", err)
	}
	if classes := outputWidth(g); sc.classes != nil && len(sc.classes) != classes {
		return fail("%d class names for %d outputs", len(sc.classes), classes)
	}
	h := header{classes: sc.classes, meta: sc.meta}
	if cfg != (resnet.Config{}) {
		if err := checkGraph(g, cfg, path); err != nil {
			return err
		}
		h.config = &cfg
	}
	graph, err := MarshalGraph(g)
	if err != nil {
		return fail("%v", err)
	}
	h.graph = graph

	params := g.Params()
	tensors := make([]safetensors.Tensor, 0, len(params)+len(sc.extra))
	names := make(map[string]bool, len(params))
	for _, p := range params {
		name := TensorName(p)
		names[name] = true
		tensors = append(tensors, safetensors.Tensor{Name: name, Shape: p.Shape, Values: p.Value})
	}
	for _, name := range slices.Sorted(maps.Keys(sc.extra)) { // the same error every time
		t := sc.extra[name]
		switch {
		case names[name]:
			return fail("extra tensor %q has the name of a parameter", name)
		case t == nil:
			return fail("extra tensor %q is nil", name)
		case len(t.Data) != t.Shape.Len():
			return fail("extra tensor %q has %d values for shape %v", name, len(t.Data), []int(t.Shape))
		}
		h.extra = append(h.extra, name)
		tensors = append(tensors, safetensors.Tensor{Name: name, Shape: t.Shape, Values: t.Data})
	}
	md, err := h.encode()
	if err != nil {
		return fail("%v", err)
	}
	return safetensors.WriteFile(path, tensors, md, safetensors.WithFloatDtype(sc.dtype))
}
