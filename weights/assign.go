package weights

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/simdnet/simdnet/ops"
)

// Source is a set of named tensors that Assign can copy into a graph: a
// safetensors file (FromSafetensors), a Keras HDF5 file (*KerasFile) or
// tensors in memory (FromTensors). Names are unique and follow TensorName.
type Source interface {
	// Name identifies the source in errors, typically its file name.
	Name() string
	// Tensors describes every tensor, without reading any data.
	Tensors() []TensorInfo
	// Float32 returns the named tensor's values in row-major order. The
	// slice may alias the source's storage (a read-only file mapping), so
	// callers copy it before writing to it or using it after the source is
	// closed.
	Float32(name string) ([]float32, error)
}

// TensorInfo describes one tensor of a Source.
type TensorInfo struct {
	Name  string
	Shape []int
	Dtype string // as the source spells it, e.g. "F16" or "float32"
	Float bool   // whether Float32 can read it; integer and string tensors cannot
}

// Assign copies the tensors of src into the parameters of g, matching the
// tensor named "<layer>/<param>" to each parameter (see TensorName).
//
// It is all-or-nothing. When src lacks a parameter, holds a tensor g has no
// parameter for, or stores one with another shape or a non-float dtype,
// Assign changes nothing and returns a *MismatchError listing every such
// tensor. Data are read in full before the first parameter is written, so
// a read error (a corrupt compressed dataset, say) leaves g untouched too.
// Values are copied into the parameters' existing storage, so anything
// holding a parameter's Value slice sees the new weights.
func Assign(g *ops.Graph, src Source) error {
	model := g.Name
	if model == "" {
		model = "the graph"
	}
	return assign(g, src, model, false)
}

// assign is Assign with the model named in errors, and with share set
// making the parameters alias the source's slices instead of copying them
// (Load's ReadOnly).
func assign(g *ops.Graph, src Source, model string, share bool) error {
	params := g.Params()
	if ms := match(targetsOf(params), src.Tensors()); len(ms) > 0 {
		return &MismatchError{Source: src.Name(), Model: model, Mismatches: ms}
	}
	vals := make([][]float32, len(params))
	for i, p := range params {
		name := TensorName(p)
		v, err := src.Float32(name)
		if err != nil {
			return err // the source's errors name it and the tensor
		}
		if len(v) != p.Len() { // a Source breaking its own Tensors description
			return fmt.Errorf("weights: %s: tensor %q has %d values, want %d", src.Name(), name, len(v), p.Len())
		}
		vals[i] = v
	}
	for i, p := range params {
		if share {
			p.Value = vals[i]
		} else {
			copy(p.Value, vals[i])
		}
	}
	return nil
}

// target is a tensor a model needs: a parameter's name and shape.
type target struct {
	name  string
	shape []int
}

func targetsOf(params []ops.NamedParam) []target {
	ts := make([]target, len(params))
	for i, p := range params {
		ts[i] = target{TensorName(p), p.Shape}
	}
	return ts
}

// match compares the tensors a source has with those a model wants and
// returns every mismatch: the wanted tensors' problems in the model's order,
// then the unexpected tensors sorted by name.
func match(want []target, have []TensorInfo) []Mismatch {
	byName := make(map[string]*TensorInfo, len(have))
	for i := range have {
		byName[have[i].Name] = &have[i]
	}
	var ms []Mismatch
	wanted := make(map[string]bool, len(want))
	for _, w := range want {
		wanted[w.name] = true
		t, ok := byName[w.name]
		switch {
		case !ok:
			ms = append(ms, Mismatch{Tensor: w.name, Kind: Missing})
		case !t.Float:
			ms = append(ms, Mismatch{Tensor: w.name, Kind: WrongDtype, Dtype: t.Dtype})
		case !slices.Equal(t.Shape, w.shape):
			ms = append(ms, Mismatch{Tensor: w.name, Kind: WrongShape, Shape: slices.Clone(t.Shape), Want: slices.Clone(w.shape)})
		}
	}
	var extra []Mismatch
	for _, t := range have {
		if !wanted[t.Name] {
			extra = append(extra, Mismatch{Tensor: t.Name, Kind: Unexpected})
		}
	}
	slices.SortFunc(extra, func(a, b Mismatch) int { return cmp.Compare(a.Tensor, b.Tensor) })
	return append(ms, extra...)
}
