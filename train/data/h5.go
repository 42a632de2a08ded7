package data

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/simdnet/simdnet/weights/hdf5"
)

// LoadH5 reads an image dataset from an HDF5 file in the layout of the
// Keras tutorial's SIGNS files: a "<prefix>_set_x" dataset of N×H×W×C
// images (uint8, or any number type read as float32), a "<prefix>_set_y"
// dataset of N integer labels in any shape (the tutorial's files store
// (N,), its code reshapes to (1, N)), and optionally "list_classes", the
// label values in class order. Without list_classes the classes are
// 0..max(label). The file must hold exactly one such pair of datasets.
func LoadH5(path string) (*Dataset, error) {
	f, err := hdf5.Open(path)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	members, err := f.Root().Members()
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	xName, yName, err := findSetPair(path, members)
	if err != nil {
		return nil, err
	}
	d, err := readImages(path, f, xName)
	if err != nil {
		return nil, err
	}
	values, err := readLabels(path, f, yName, d.Len())
	if err != nil {
		return nil, err
	}
	var classValues []int64
	if slices.Contains(members, "list_classes") {
		ds, err := f.Dataset("list_classes")
		if err != nil {
			return nil, fmt.Errorf("data: %w", err)
		}
		if classValues, err = ds.ReadInt64(); err != nil {
			return nil, fmt.Errorf("data: %w", err)
		}
	}
	if d.Labels, d.Classes, err = labelIndices(values, classValues); err != nil {
		return nil, fmt.Errorf("data: %s: dataset %q: %w", path, yName, err)
	}
	return d, d.Validate()
}

// LoadSIGNS reads the tutorial's train_signs.h5 and test_signs.h5 from dir.
func LoadSIGNS(dir string) (train, test *Dataset, err error) {
	if train, err = LoadH5(filepath.Join(dir, "train_signs.h5")); err != nil {
		return nil, nil, err
	}
	if test, err = LoadH5(filepath.Join(dir, "test_signs.h5")); err != nil {
		return nil, nil, err
	}
	return train, test, nil
}

// findSetPair finds the one "<prefix>_set_x" member that has a matching
// "<prefix>_set_y", so that train_*, test_*, dev_* files all load.
func findSetPair(path string, members []string) (x, y string, err error) {
	var pairs []string
	for _, m := range members {
		prefix, ok := strings.CutSuffix(m, "_set_x")
		if ok && slices.Contains(members, prefix+"_set_y") {
			pairs = append(pairs, prefix)
		}
	}
	switch len(pairs) {
	case 1:
		return pairs[0] + "_set_x", pairs[0] + "_set_y", nil
	case 0:
		return "", "", fmt.Errorf("data: %s: no <prefix>_set_x/<prefix>_set_y pair of datasets among %v", path, members)
	default:
		return "", "", fmt.Errorf("data: %s: several image sets %v; expected one <prefix>_set_x/_set_y pair", path, pairs)
	}
}

// readImages reads the N×H×W×C image dataset.
func readImages(path string, f *hdf5.File, name string) (*Dataset, error) {
	ds, err := f.Dataset(name)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	shape := ds.Shape()
	if len(shape) != 4 {
		return nil, fmt.Errorf("data: %s: dataset %q has shape %v, want N×height×width×channels", path, name, shape)
	}
	d := &Dataset{Height: shape[1], Width: shape[2], Channels: shape[3], Labels: make([]int, shape[0])}
	if t := ds.Dtype(); t.Kind == hdf5.Uint && t.Size == 1 {
		d.Pixels, err = ds.ReadUint8()
		d.MaxValue = 255
	} else {
		d.Floats, err = ds.ReadFloat32()
	}
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	return d, nil
}

// readLabels reads the label dataset and checks it has one label per image.
func readLabels(path string, f *hdf5.File, name string, n int) ([]int64, error) {
	ds, err := f.Dataset(name)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	values, err := ds.ReadInt64()
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	if len(values) != n {
		return nil, fmt.Errorf("data: %s: dataset %q has %d labels (shape %v) for %d images", path, name, len(values), ds.Shape(), n)
	}
	return values, nil
}

// labelIndices maps label values to class indices: the position of each
// value in classValues, or the value itself (classes 0..max) when there is
// no class list.
func labelIndices(values, classValues []int64) ([]int, []string, error) {
	if classValues == nil {
		top := int64(-1)
		for _, v := range values {
			top = max(top, v)
		}
		for v := int64(0); v <= top; v++ {
			classValues = append(classValues, v)
		}
	}
	index := make(map[int64]int, len(classValues))
	names := make([]string, len(classValues))
	for i, v := range classValues {
		index[v] = i
		names[i] = strconv.FormatInt(v, 10)
	}
	labels := make([]int, len(values))
	for i, v := range values {
		l, ok := index[v]
		if !ok {
			return nil, nil, fmt.Errorf("label %d of image %d is not among the classes %v", v, i, classValues)
		}
		labels[i] = l
	}
	return labels, names, nil
}
