package weights

import (
	"fmt"
	"maps"
	"slices"

	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/weights/safetensors"
)

// FromSafetensors makes every tensor of an open safetensors file a Source.
// F32 tensors are read in place where the file allows; F64, F16 and BF16
// are converted.
func FromSafetensors(f *safetensors.File) Source { return stSource{f: f} }

type stSource struct {
	f    *safetensors.File
	skip map[string]bool // tensors that are not weights (a checkpoint's extras)
}

func (s stSource) Name() string { return s.f.Name() }

func (s stSource) Tensors() []TensorInfo {
	var ts []TensorInfo
	for _, t := range s.f.Tensors() {
		if s.skip[t.Name] {
			continue
		}
		// A scalar is stored with shape [] and described with a nil Shape;
		// no parameter has rank 0, so it mismatches either way.
		ts = append(ts, TensorInfo{Name: t.Name, Shape: t.Shape, Dtype: t.Dtype.String(), Float: t.Dtype.IsFloat()})
	}
	return ts
}

func (s stSource) Float32(name string) ([]float32, error) {
	if s.skip[name] {
		return nil, fmt.Errorf("weights: %s: tensor %q is not a weight", s.f.Name(), name)
	}
	return s.f.Float32(name)
}

// FromTensors makes tensors held in memory a Source named name. The map is
// read when the Source is used, not copied.
func FromTensors(name string, tensors map[string]*ops.Tensor) Source {
	return memSource{name: name, tensors: tensors}
}

type memSource struct {
	name    string
	tensors map[string]*ops.Tensor
}

func (s memSource) Name() string { return s.name }

func (s memSource) Tensors() []TensorInfo {
	ts := make([]TensorInfo, 0, len(s.tensors))
	for _, n := range slices.Sorted(maps.Keys(s.tensors)) {
		if t := s.tensors[n]; t != nil {
			ts = append(ts, TensorInfo{Name: n, Shape: t.Shape, Dtype: "float32", Float: true})
		} else {
			ts = append(ts, TensorInfo{Name: n, Dtype: "nil"})
		}
	}
	return ts
}

func (s memSource) Float32(name string) ([]float32, error) {
	t := s.tensors[name]
	if t == nil {
		return nil, fmt.Errorf("weights: %s: no tensor %q", s.name, name)
	}
	if len(t.Data) != t.Shape.Len() {
		return nil, fmt.Errorf("weights: %s: tensor %q has %d values for shape %v", s.name, name, len(t.Data), []int(t.Shape))
	}
	return t.Data, nil
}
