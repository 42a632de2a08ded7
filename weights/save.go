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

// Save writes the parameters of g and the configuration cfg it was built
// from to path as a safetensors model file; see the package documentation
// for the layout. The file is replaced atomically.
//
// Save refuses (writing nothing) a graph whose parameters do not have the
// names and shapes cfg builds — a file Load could not load — with a
// *MismatchError. Checking builds cfg's model once per distinct
// configuration in the process, which costs as much memory as the model.
func Save(path string, g *ops.Graph, cfg resnet.Config, opts ...SaveOption) error {
	sc := saveConfig{dtype: safetensors.F32}
	for _, o := range opts {
		o(&sc)
	}
	return save(path, g, cfg, &sc)
}

func save(path string, g *ops.Graph, cfg resnet.Config, sc *saveConfig) error {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("weights: save %s: %s", path, fmt.Sprintf(format, args...))
	}
	if !sc.dtype.IsFloat() {
		return fail("cannot store weights as %v", sc.dtype)
	}
	if sc.classes != nil && len(sc.classes) != cfg.Classes {
		return fail("%d class names for %d classes", len(sc.classes), cfg.Classes)
	}
	if err := g.Build(); err != nil {
		return fail("%v", err)
	}
	if err := checkGraph(g, cfg, path); err != nil {
		return err
	}

	params := g.Params()
	tensors := make([]safetensors.Tensor, 0, len(params)+len(sc.extra))
	names := make(map[string]bool, len(params))
	for _, p := range params {
		name := TensorName(p)
		names[name] = true
		tensors = append(tensors, safetensors.Tensor{Name: name, Shape: p.Shape, Values: p.Value})
	}
	h := header{config: cfg, classes: sc.classes, meta: sc.meta}
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
