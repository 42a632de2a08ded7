package data

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/simdnet/simdnet/weights/hdf5"
)

// LoadH5 reads an image dataset from an HDF5 file in the layout of the
// Keras tutorial's SIGNS files: a "<prefix>_set_x" dataset of N×H×W×C
// images (uint8, or any number type read as float32), a "<prefix>_set_y"
// dataset of N labels in any shape (the tutorial's files store (N,), its
// code reshapes to (1, N)): integers, or floats holding whole numbers, and
// optionally "list_classes", the label values in class order. Without
// list_classes the classes are 0..max(label). The file must hold exactly
// one such pair of datasets. Sizes are bounded by DefaultLimits.
func LoadH5(path string) (*Dataset, error) { return LoadH5With(path, H5Options{}) }

// H5Options configures LoadH5With.
type H5Options struct {
	// Limits bound what the file may make the loader allocate; zero fields
	// take DefaultLimits' values.
	Limits Limits
}

// LoadH5With is LoadH5 with options.
func LoadH5With(path string, opt H5Options) (*Dataset, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	return readH5(fh, st.Size(), path, opt.Limits.orDefault())
}

// readH5 is LoadH5With on an open file of the given size; path names it in
// errors.
func readH5(r io.ReaderAt, size int64, path string, lim Limits) (*Dataset, error) {
	// The reader refuses any single read above the data set bound too, so
	// raising Limits.MaxBytes raises both together.
	f, err := hdf5.NewReader(r, size, filepath.Base(path), hdf5.WithMaxRead(uint64(lim.MaxBytes)))
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	members, err := f.Root().Members()
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	xName, yName, err := findSetPair(path, members)
	if err != nil {
		return nil, err
	}
	x, err := f.Dataset(xName)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	y, err := f.Dataset(yName)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	var classes *hdf5.Dataset
	if slices.Contains(members, "list_classes") {
		if classes, err = f.Dataset("list_classes"); err != nil {
			return nil, fmt.Errorf("data: %w", err)
		}
	}
	src := h5Source{path: path, size: uint64(size), lim: lim}
	// Every declared size is checked before anything is read.
	d, n, err := src.checkImages(x)
	if err != nil {
		return nil, err
	}
	if got := y.Len(); got != n {
		return nil, fmt.Errorf("data: %s: dataset %q has %d labels (shape %v) for %d images", path, yName, got, y.Shape(), n)
	}
	if classes != nil && classes.Len() > lim.MaxClasses {
		return nil, fmt.Errorf("data: %s: dataset \"list_classes\" declares %d classes, above the limit of %d (Limits.MaxClasses)", path, classes.Len(), lim.MaxClasses)
	}
	if err := src.readImages(x, d); err != nil {
		return nil, err
	}
	values, err := src.readLabels(y)
	if err != nil {
		return nil, err
	}
	var classValues []int64
	if classes != nil {
		if classValues, err = classes.ReadInt64(); err != nil {
			return nil, fmt.Errorf("data: %w", err)
		}
	}
	if d.Labels, d.Classes, err = labelIndices(values, classValues, lim.MaxClasses); err != nil {
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

// h5Source is the file a dataset comes from, for bounds and errors.
type h5Source struct {
	path string
	size uint64 // bytes
	lim  Limits
}

// checkImages checks the image dataset's declared shape and size against
// the limits, and returns an empty dataset of that image shape and the
// number of images. Nothing is allocated from the declared number: the
// labels come with the label data once it has been read.
func (s h5Source) checkImages(ds *hdf5.Dataset) (*Dataset, int, error) {
	name, shape := ds.Name(), ds.Shape()
	if len(shape) != 4 {
		return nil, 0, fmt.Errorf("data: %s: dataset %q has shape %v, want N×height×width×channels", s.path, name, shape)
	}
	n, h, w, c := shape[0], shape[1], shape[2], shape[3]
	if n < 1 || h < 1 || w < 1 || c < 1 {
		return nil, 0, fmt.Errorf("data: %s: dataset %q of shape %v holds no images", s.path, name, shape)
	}
	if _, ok := imagesBytes(n, h, w, c, s.elemSize(ds), s.lim.MaxBytes); !ok {
		return nil, 0, fmt.Errorf("data: %s: %s, above the limit of %s (Limits.MaxBytes)", s.path, s.declares(ds), byteSize(uint64(s.lim.MaxBytes)))
	}
	return &Dataset{Height: h, Width: w, Channels: c}, n, nil
}

// elemSize is the bytes one image value takes in memory: uint8 pixels
// stay bytes, any other type becomes float32.
func (s h5Source) elemSize(ds *hdf5.Dataset) int {
	if t := ds.Dtype(); t.Kind == hdf5.Uint && t.Size == 1 {
		return 1
	}
	return 4
}

// declares describes the image dataset's declared size, for errors:
// `dataset "train_set_x" declares 1073741824 images of 64×64×3 uint8 (12.0 TiB)`.
func (s h5Source) declares(ds *hdf5.Dataset) string {
	shape := ds.Shape()
	size, _ := imagesBytes(shape[0], shape[1], shape[2], shape[3], ds.Dtype().Size, 1<<63-1)
	return fmt.Sprintf("dataset %q declares %d images of %d×%d×%d %s (%s)",
		strings.TrimPrefix(ds.Name(), "/"), shape[0], shape[1], shape[2], shape[3], ds.Dtype(), byteSize(size))
}

// readImages reads the images of the dataset checkImages sized.
func (s h5Source) readImages(ds *hdf5.Dataset, d *Dataset) error {
	var err error
	if s.elemSize(ds) == 1 {
		d.Pixels, err = ds.ReadUint8()
		d.MaxValue = 255
	} else {
		d.Floats, err = ds.ReadFloat32()
	}
	if errors.Is(err, hdf5.ErrTooLarge) {
		return fmt.Errorf("data: %s: %s, more than the %s file holds (corrupt or truncated): %w", s.path, s.declares(ds), byteSize(s.size), err)
	}
	if err != nil {
		return fmt.Errorf("data: %w", err)
	}
	return nil
}

// readLabels reads the label dataset: integers, or floats that hold whole
// numbers (as numpy float arrays of labels do).
func (s h5Source) readLabels(ds *hdf5.Dataset) ([]int64, error) {
	if ds.Dtype().Kind != hdf5.Float {
		values, err := ds.ReadInt64()
		if err != nil {
			return nil, fmt.Errorf("data: %w", err)
		}
		return values, nil
	}
	floats, err := ds.ReadFloat64()
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	values := make([]int64, len(floats))
	for i, v := range floats {
		// 2^63 is the first float64 beyond int64; -2^63 itself fits.
		if v != math.Trunc(v) || v >= 1<<63 || v < -1<<63 {
			return nil, fmt.Errorf("data: %s: dataset %q: label %v of image %d is not a whole number", s.path, strings.TrimPrefix(ds.Name(), "/"), v, i)
		}
		values[i] = int64(v)
	}
	return values, nil
}

// labelIndices maps label values to class indices: the position of each
// value in classValues, or the value itself (classes 0..max) when there is
// no class list. Either way there are at most maxClasses classes.
func labelIndices(values, classValues []int64, maxClasses int) ([]int, []string, error) {
	if classValues == nil {
		top := int64(-1)
		for i, v := range values {
			switch {
			case v < 0:
				return nil, nil, fmt.Errorf("label %d of image %d is negative; without list_classes labels are 0, 1, 2, ...", v, i)
			case v >= int64(maxClasses):
				return nil, nil, fmt.Errorf("label %d of image %d would make %d classes, above the limit of %d (Limits.MaxClasses); without list_classes labels are 0, 1, 2, ...", v, i, uint64(v)+1, maxClasses)
			}
			top = max(top, v)
		}
		classValues = make([]int64, top+1)
		for v := range classValues {
			classValues[v] = int64(v)
		}
	}
	if len(classValues) > maxClasses {
		return nil, nil, fmt.Errorf("%d classes, above the limit of %d (Limits.MaxClasses)", len(classValues), maxClasses)
	}
	index := make(map[int64]int, len(classValues))
	names := make([]string, len(classValues))
	for i, v := range classValues {
		if j, dup := index[v]; dup {
			return nil, nil, fmt.Errorf("list_classes holds %d twice (classes %d and %d)", v, j, i)
		}
		index[v] = i
		names[i] = strconv.FormatInt(v, 10)
	}
	labels := make([]int, len(values))
	for i, v := range values {
		l, ok := index[v]
		if !ok {
			return nil, nil, fmt.Errorf("label %d of image %d is not among the classes %v", v, i, shorten(classValues))
		}
		labels[i] = l
	}
	return labels, names, nil
}

// shorten keeps an error's list of classes readable.
func shorten(v []int64) string {
	if len(v) <= 16 {
		return fmt.Sprint(v)
	}
	return fmt.Sprintf("%v ... (%d classes)", v[:16], len(v))
}
