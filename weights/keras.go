package weights

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/weights/hdf5"
)

// KerasFile is a Keras 2 HDF5 weights file opened for reading: what
// model.save writes (weights under /model_weights, the architecture in the
// model_config attribute) or model.save_weights (weights at the root).
//
// Keras lays the weights out as one group per layer, in the order of the
// layer_names attribute; each layer group's weight_names attribute lists its
// datasets, relative to the group, as Keras names the variables:
//
//	/model_weights/conv1/conv1/kernel:0    (weight_names: conv1/kernel:0, conv1/bias:0)
//
// A KerasFile is a Source whose tensors are named "<layer>/<param>" after
// the layer group and the variable's last component without ":0", so
// conv1/kernel:0 of layer conv1 becomes conv1/kernel, as in model files.
// Only the metadata is read when the file is opened; Float32 reads data.
type KerasFile struct {
	KerasVersion string // the keras_version attribute; "" when absent
	Backend      string // the backend attribute, e.g. "tensorflow"; "" when absent
	ModelConfig  string // the model_config JSON of a model.save file; "" otherwise
	Layers       []KerasLayer

	path    string
	f       *hdf5.File
	weights map[string]*KerasWeight // by Tensor
}

// KerasLayer is one entry of layer_names. Layers without weights
// (activations, pooling, add, the input) have none.
type KerasLayer struct {
	Name    string
	Weights []KerasWeight
}

// KerasWeight is one weight dataset of a layer.
type KerasWeight struct {
	Name   string // as listed in weight_names, e.g. "conv1/kernel:0"
	Tensor string // as simdnet names it, e.g. "conv1/kernel"
	Shape  []int
	Dtype  hdf5.Dtype

	ds *hdf5.Dataset
}

// OpenKeras opens a Keras 2 HDF5 file and reads its layer and weight lists.
// It fails when those are missing or inconsistent (a listed dataset that is
// not there, two weights that would get one name), but never over
// attributes it does not need. Options reach the HDF5 reader, e.g.
// hdf5.WithMaxRead to read a dataset beyond hdf5.DefaultMaxRead.
func OpenKeras(path string, opts ...hdf5.Option) (*KerasFile, error) {
	f, err := hdf5.Open(path, opts...)
	if err != nil {
		return nil, err
	}
	k, err := readKeras(path, f)
	if err != nil {
		f.Close()
		return nil, err
	}
	return k, nil
}

func readKeras(path string, f *hdf5.File) (*KerasFile, error) {
	k := &KerasFile{path: path, f: f, weights: map[string]*KerasWeight{}}
	root := f.Root()
	g := root
	if t, err := root.MemberType("model_weights"); err == nil && t == hdf5.ObjectGroup {
		if g, err = root.Group("model_weights"); err != nil {
			return nil, err
		}
	}
	layers, err := kerasStrings(g, "layer_names")
	if errors.Is(err, hdf5.ErrNotFound) {
		return nil, fmt.Errorf("weights: %s: not a Keras weights file: group %q has no layer_names attribute", path, g.Name())
	}
	if err != nil {
		return nil, err
	}
	// Informational attributes: Keras writes them on the weights group and,
	// for model.save, on the root; a file without them still loads.
	k.KerasVersion = optionalString(g, root, "keras_version")
	k.Backend = optionalString(g, root, "backend")
	k.ModelConfig = optionalString(root, nil, "model_config")

	seen := make(map[string]bool, len(layers))
	for _, name := range layers {
		if seen[name] {
			return nil, fmt.Errorf("weights: %s: layer %q is listed twice in layer_names", path, shortName(name))
		}
		seen[name] = true
		l, err := readLayer(g, name)
		if err != nil {
			return nil, err
		}
		k.Layers = append(k.Layers, l)
	}
	// Index once the slices have stopped growing, so the pointers stay put.
	for i := range k.Layers {
		for j := range k.Layers[i].Weights {
			w := &k.Layers[i].Weights[j]
			if _, dup := k.weights[w.Tensor]; dup {
				return nil, fmt.Errorf("weights: %s: layer %q: weight %q is a second %s", path, shortName(k.Layers[i].Name), shortName(w.Name), shortName(w.Tensor))
			}
			k.weights[w.Tensor] = w
		}
	}
	return k, nil
}

// readLayer reads one layer group's weight list and opens its datasets.
func readLayer(g *hdf5.Group, name string) (KerasLayer, error) {
	l := KerasLayer{Name: name}
	lg, err := g.Group(name)
	if err != nil {
		return l, err // names the file and the group
	}
	wnames, err := kerasStrings(lg, "weight_names")
	if err != nil {
		return l, err
	}
	for _, wn := range wnames {
		ds, err := lg.Dataset(wn)
		if err != nil {
			return l, err
		}
		l.Weights = append(l.Weights, KerasWeight{Name: wn, Tensor: name + "/" + paramName(wn), Shape: ds.Shape(), Dtype: ds.Dtype(), ds: ds})
	}
	return l, nil
}

// paramName turns a Keras variable name into a parameter name: the last
// path component without the ":<index>" TensorFlow appends, so
// "conv1/kernel:0" (or "model/conv1/kernel:0" from a nested scope) becomes
// "kernel".
func paramName(weightName string) string {
	base := weightName[strings.LastIndexByte(weightName, '/')+1:]
	if i := strings.LastIndexByte(base, ':'); i > 0 {
		if _, err := strconv.Atoi(base[i+1:]); err == nil {
			return base[:i]
		}
	}
	return base
}

// kerasStrings reads a string-list attribute as Keras writes it. Keras
// splits a list too long for the 64 KiB object header into numbered
// attributes (layer_names0, layer_names1, ...), which are concatenated.
func kerasStrings(g *hdf5.Group, name string) ([]string, error) {
	a, err := g.Attr(name)
	if err == nil {
		return a.Strings()
	}
	if !errors.Is(err, hdf5.ErrNotFound) {
		return nil, err
	}
	var all []string
	for i := 0; ; i++ {
		a, cerr := g.Attr(name + strconv.Itoa(i))
		if errors.Is(cerr, hdf5.ErrNotFound) {
			if i == 0 {
				return nil, err // the plain name's error: it is what was missing
			}
			return all, nil
		}
		if cerr != nil {
			return nil, cerr
		}
		s, cerr := a.Strings()
		if cerr != nil {
			return nil, cerr
		}
		all = append(all, s...)
	}
}

// optionalString returns the first string of the attribute on g, or
// failing that on alt (if not nil), or "" — never an error, since the
// importer does not need it.
func optionalString(g, alt *hdf5.Group, name string) string {
	for _, grp := range []*hdf5.Group{g, alt} {
		if grp == nil {
			continue
		}
		if a, err := grp.Attr(name); err == nil {
			if s, err := a.Strings(); err == nil && len(s) > 0 {
				return s[0]
			}
		}
	}
	return ""
}

// Close closes the file.
func (k *KerasFile) Close() error { return k.f.Close() }

// Name returns the path the file was opened with.
func (k *KerasFile) Name() string { return k.path }

// Tensors describes every weight, in layer_names order.
func (k *KerasFile) Tensors() []TensorInfo {
	var ts []TensorInfo
	for _, l := range k.Layers {
		for _, w := range l.Weights {
			ts = append(ts, w.info(w.Tensor))
		}
	}
	return ts
}

// info describes w as a tensor called name.
func (w *KerasWeight) info(name string) TensorInfo {
	return TensorInfo{Name: name, Shape: w.Shape, Dtype: w.Dtype.String(), Float: w.Dtype.Kind == hdf5.Float}
}

// Float32 reads the named weight (a "<layer>/<param>" name) as float32,
// converting float16 or float64 data.
func (k *KerasFile) Float32(name string) ([]float32, error) {
	w := k.weights[name]
	if w == nil {
		return nil, fmt.Errorf("weights: %s: no weight %q", k.path, shortName(name))
	}
	if w.Dtype.Kind != hdf5.Float {
		return nil, fmt.Errorf("weights: %s: dataset %q has type %v, not float", k.path, w.ds.Name(), w.Dtype)
	}
	v, err := w.ds.ReadFloat32()
	if err != nil {
		return nil, err
	}
	if want := ops.Shape(w.Shape).Len(); len(v) != want {
		return nil, fmt.Errorf("weights: %s: dataset %q gave %d values for shape %v", k.path, w.ds.Name(), len(v), w.Shape)
	}
	return v, nil
}

// ImportKeras loads the weights of the Keras 2 HDF5 file at path into g,
// matching layers by name and weights by their Keras names (see KerasFile),
// all or nothing as Assign does: a mismatch is reported with every tensor
// that does not fit and leaves g untouched. A file none of whose names is a
// parameter of g — its layers named automatically by Keras — is matched by
// layer order instead (see KerasFile.ByOrder).
func ImportKeras(path string, g *ops.Graph) error {
	k, err := OpenKeras(path)
	if err != nil {
		return err
	}
	defer k.Close()
	src, err := k.sourceFor(targetsOf(g.Params()))
	if err != nil {
		return err
	}
	return Assign(g, src)
}
