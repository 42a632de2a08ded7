package main

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/simdnet/simdnet/train/data"
)

// loadData reads a data set named on the command line: an HDF5 file in the
// tutorial's layout, a folder holding train_signs.h5 (role "train") or
// test_signs.h5 (role "test"), or a folder of images (flat
// {label}_IMG_{id}.jpg files or one subfolder per class). Images are
// resized to h×w; classes, when given, fix the label order.
func loadData(path, role string, h, w int, classes []string) (*data.Dataset, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("%s data: %w", role, err)
	}
	var d *data.Dataset
	switch {
	case !st.IsDir():
		if !strings.HasSuffix(strings.ToLower(path), ".h5") {
			return nil, fmt.Errorf("%s data %s: want an .h5 file or a folder", role, path)
		}
		d, err = data.LoadH5(path)
	case fileExists(filepath.Join(path, role+"_signs.h5")):
		d, err = data.LoadH5(filepath.Join(path, role+"_signs.h5"))
	default:
		d, err = data.LoadFolder(path, data.FolderOptions{Height: h, Width: w, Classes: classes})
	}
	if err != nil {
		return nil, err
	}
	if d.Height != h || d.Width != w {
		d = d.Resized(h, w)
	}
	if d.Channels != 3 {
		return nil, fmt.Errorf("%s data %s: images have %d channels, the model takes 3", role, path, d.Channels)
	}
	return d.Scaled(), nil
}

// defaultTestData is where the test set of a training folder is: beside
// train_signs.h5, or a test/ folder beside a train/ folder.
func defaultTestData(trainPath string) string {
	dir := trainPath
	if st, err := os.Stat(trainPath); err == nil && !st.IsDir() {
		dir = filepath.Dir(trainPath)
	}
	if f := filepath.Join(dir, "test_signs.h5"); fileExists(f) {
		return f
	}
	if f := filepath.Join(filepath.Dir(dir), "test"); filepath.Base(dir) == "train" && fileExists(f) {
		return f
	}
	return ""
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// sameClasses checks that data labels as whose (the training data, the
// model) does: the same class names in the same order.
func sameClasses(whose string, want, got []string) error {
	if !slices.Equal(want, got) {
		return fmt.Errorf("the data's classes %v differ from %s's %v", got, whose, want)
	}
	return nil
}

// datasetIdentity names a loaded data set by its content, for a resumed
// run to check that it trains on the same images: their number, shape and
// classes and a SHA-256 of every value and label, whatever the files were
// called or wherever they moved.
func datasetIdentity(d *data.Dataset) string {
	h := sha256.New()
	var buf [8]byte
	word := func(v uint64) {
		binary.LittleEndian.PutUint64(buf[:], v)
		h.Write(buf[:])
	}
	for _, v := range []int{d.Height, d.Width, d.Channels, d.Len()} {
		word(uint64(v))
	}
	for _, l := range d.Labels {
		word(uint64(l))
	}
	h.Write(d.Pixels)
	chunk := make([]byte, 0, 4<<10)
	for _, v := range d.Floats {
		chunk = binary.LittleEndian.AppendUint32(chunk, math.Float32bits(v))
		if len(chunk) == cap(chunk) {
			h.Write(chunk)
			chunk = chunk[:0]
		}
	}
	h.Write(chunk)
	return fmt.Sprintf("%d images %dx%dx%d, classes %s, sha256 %x", d.Len(), d.Height, d.Width, d.Channels,
		strings.Join(d.Classes, ","), h.Sum(nil)[:8])
}
