package data

import (
	"errors"
	"math"
	"runtime"
	"strings"
	"testing"

	"github.com/simdnet/simdnet/weights/hdf5"
)

// allocated returns the bytes f allocates on the heap.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// billionImages is the hostile file: a train_set_x declaring 2^30
// images of 64×64×3 (12.0 TiB) in about 1.6 KiB.
func billionImages() []h5Set {
	const n = 1 << 30
	return []h5Set{
		{"train_set_x", []uint64{n, 64, 64, 3}, h5Uint8, make([]byte, 1024)},
		{"train_set_y", []uint64{n}, h5Int64, int64s(0, 1, 2)},
		{"list_classes", []uint64{3}, h5Int64, int64s(0, 1, 2)},
	}
}

// wantError checks that err names every part of want.
func wantError(t *testing.T, what string, err error, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error, want one naming %q", what, want)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%s: error %q does not name %q", what, err, w)
		}
	}
}

func TestLoadH5BillionImages(t *testing.T) {
	path := saveH5(t, "it.h5", billionImages())
	var err error
	if n := allocated(func() { _, err = LoadH5(path) }); n > 16<<20 {
		t.Errorf("LoadH5 allocated %d bytes for a file declaring 2^30 images", n)
	}
	wantError(t, "default limits", err, "it.h5", `"train_set_x" declares 1073741824 images of 64×64×3 uint8 (12.0 TiB)`, "Limits.MaxBytes")

	// With the limit out of the way, the file's own size stops it.
	huge := H5Options{Limits: Limits{MaxBytes: math.MaxInt64}}
	if n := allocated(func() { _, err = LoadH5With(path, huge) }); n > 16<<20 {
		t.Errorf("LoadH5With allocated %d bytes for a file declaring 2^30 images", n)
	}
	wantError(t, "no byte limit", err, "it.h5", `"train_set_x" declares 1073741824 images`, "file holds")
	if !errors.Is(err, hdf5.ErrTooLarge) {
		t.Errorf("error %v does not wrap hdf5.ErrTooLarge", err)
	}
}

func TestLoadH5HostileLabels(t *testing.T) {
	for _, c := range []struct {
		name    string
		sets    []h5Set
		opt     H5Options
		want    []string // in the error; nil: loads
		classes int
	}{
		{"label 10^12", signsLike([]int64{0, 1e12, 2}, nil), H5Options{},
			[]string{`"train_set_y"`, "label 1000000000000 of image 1", "Limits.MaxClasses"}, 0},
		{"negative label", signsLike([]int64{0, 1, -3}, nil), H5Options{},
			[]string{"label -3 of image 2 is negative"}, 0},
		{"negative listed", signsLike([]int64{0, -3}, []int64{-3, 0}), H5Options{}, nil, 2},
		{"raised class limit", signsLike([]int64{70000}, nil), H5Options{Limits: Limits{MaxClasses: 1 << 17}}, nil, 70001},
		{"label not listed", signsLike([]int64{0, 4}, []int64{0, 1}), H5Options{},
			[]string{"label 4 of image 1 is not among the classes [0 1]"}, 0},
		{"duplicate class", signsLike([]int64{0}, []int64{0, 1, 0}), H5Options{},
			[]string{"list_classes holds 0 twice"}, 0},
		{"2^40 listed classes", append(signsLike([]int64{0}, nil),
			h5Set{"list_classes", []uint64{1 << 40}, h5Int64, int64s(0)}), H5Options{},
			[]string{`"list_classes" declares 1099511627776 classes`}, 0},
		{"more labels than images", append(signsLike([]int64{0, 1}, nil)[:1],
			h5Set{"train_set_y", []uint64{3}, h5Int64, int64s(0, 1, 1)}), H5Options{},
			[]string{`"train_set_y" has 3 labels`, "for 2 images"}, 0},
		{"float labels", floatLabels(0, 2, 1), H5Options{}, nil, 3},
		{"fractional label", floatLabels(0, 1.5), H5Options{}, []string{"label 1.5 of image 1 is not a whole number"}, 0},
		{"NaN label", floatLabels(math.NaN()), H5Options{}, []string{"label NaN of image 0"}, 0},
		{"label 1e300", floatLabels(1, 1e300), H5Options{}, []string{"label 1e+300 of image 1"}, 0},
	} {
		path := saveH5(t, "labels.h5", c.sets)
		var d *Dataset
		var err error
		if n := allocated(func() { d, err = LoadH5With(path, c.opt) }); n > 16<<20 {
			t.Errorf("%s: LoadH5 allocated %d bytes", c.name, n)
		}
		if c.want == nil {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			} else if len(d.Classes) != c.classes {
				t.Errorf("%s: %d classes, want %d", c.name, len(d.Classes), c.classes)
			}
			continue
		}
		wantError(t, c.name, err, append(c.want, "labels.h5")...)
	}
}

// floatLabels is signsLike with float64 labels.
func floatLabels(labels ...float64) []h5Set {
	sets := signsLike(make([]int64, len(labels)), nil)
	sets[1] = h5Set{"train_set_y", []uint64{uint64(len(labels))}, h5Float64, float64s(labels...)}
	return sets
}

func TestLoadH5HostileImages(t *testing.T) {
	for _, c := range []struct {
		name string
		x    h5Set
		want string
	}{
		{"rank 3", h5Set{"train_set_x", []uint64{2, 4, 3}, h5Uint8, make([]byte, 24)}, "has shape [2 4 3], want N×height×width×channels"},
		{"no images", h5Set{"train_set_x", []uint64{0, 2, 2, 3}, h5Uint8, nil}, "holds no images"},
		{"zero width", h5Set{"train_set_x", []uint64{2, 2, 0, 3}, h5Uint8, nil}, "holds no images"},
		{"float images beyond the limit", h5Set{"train_set_x", []uint64{1 << 28, 2, 2, 3}, h5Float32, make([]byte, 48)}, "float32 (12.0 GiB), above the limit of 4.0 GiB"},
		{"short storage", h5Set{"train_set_x", []uint64{2, 2, 2, 3}, h5Uint8, make([]byte, 10)}, "train_set_x"},
	} {
		sets := signsLike([]int64{0, 1}, nil)
		sets[0] = c.x
		if c.x.dims[0] != 2 {
			sets[1] = h5Set{"train_set_y", []uint64{c.x.dims[0]}, h5Int64, int64s(0, 1)}
		}
		_, err := LoadH5(saveH5(t, "images.h5", sets))
		wantError(t, c.name, err, "images.h5", c.want)
	}
}
