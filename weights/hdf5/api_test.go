package hdf5

import (
	"bytes"
	"encoding/json"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestErrorNamesFileAndObject(t *testing.T) {
	f := openFixture(t, "blosc.h5")
	d := mustDataset(t, f, "/data")
	_, err := d.ReadFloat32()
	const want = `hdf5: blosc.h5: dataset "/data": unsupported filter 32001 (blosc)`
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %s", err, want)
	}
	var e *Error
	if !errors.As(err, &e) || e.File != "blosc.h5" || e.Object != `dataset "/data"` || !errors.Is(err, ErrUnsupported) {
		t.Errorf("error fields %+v", e)
	}
	// Metadata stays available even though the data cannot be decoded.
	if !reflect.DeepEqual(d.Shape(), []int{20}) || d.Dtype().Kind != Float {
		t.Errorf("shape %v dtype %v", d.Shape(), d.Dtype())
	}
}

func TestTypeAndLookupErrors(t *testing.T) {
	f := openFixture(t, "basic.h5")
	f32 := mustDataset(t, f, "/f32")
	checks := []struct {
		name     string
		err      error
		sentinel error
		contains string
	}{
		{"ReadUint8 on float32", second(f32.ReadUint8()), ErrType, `dataset "/f32": ReadUint8 on float32 data`},
		{"ReadInt64 on float32", second(f32.ReadInt64()), ErrType, "cannot read float32 as int64"},
		{"ReadStrings on float32", second(f32.ReadStrings()), ErrType, "cannot read float32 as strings"},
		{"Group on dataset", second(f.Group("/f32")), ErrType, `group "/f32": object is a dataset, not a group`},
		{"Dataset on group", second(f.Dataset("/nested")), ErrType, "not a dataset"},
		{"missing member", second(f.Dataset("/nested/zzz")), ErrNotFound, `dataset "/nested/zzz": no member "zzz" in group "/nested"`},
		{"missing parent", second(f.Dataset("/nope/x")), ErrNotFound, `no member "nope"`},
		{"missing attr", second(f32.Attr("nope")), ErrNotFound, `attribute "nope" of dataset "/f32": not found`},
		{"dangling soft link", second(f.Dataset("dangling")), ErrNotFound, `soft link "/dangling" -> "/nope"`},
		{"dotdot", second(f.Dataset("nested/../f32")), ErrUnsupported, `".."`},
	}
	for _, c := range checks {
		if !errors.Is(c.err, c.sentinel) || !strings.Contains(c.err.Error(), c.contains) || !strings.HasPrefix(c.err.Error(), "hdf5: basic.h5: ") {
			t.Errorf("%s: got %v; want %v containing %q", c.name, c.err, c.sentinel, c.contains)
		}
	}
	s := mustDataset(t, f, "/fixed_strings")
	if _, err := s.ReadFloat64(); !errors.Is(err, ErrType) {
		t.Errorf("ReadFloat64 on strings: %v", err)
	}
	a, err := f.Root().Attr("vlen_str")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Int64s(); !errors.Is(err, ErrType) {
		t.Errorf("Int64s on string attribute: %v", err)
	}
}

func second[T any](_ T, err error) error { return err }

func TestPaths(t *testing.T) {
	f := openFixture(t, "basic.h5")
	want := []float64{0, 1, 2, 3, 4, 5}
	a, err := f.Group("nested/a")
	if err != nil {
		t.Fatal(err)
	}
	paths := []struct {
		g    *Group
		path string
		name string
	}{
		{f.Root(), "/nested/a/b/deep", "/nested/a/b/deep"},
		{f.Root(), "nested/a/b/deep", "/nested/a/b/deep"},
		{f.Root(), "nested//a/./b/deep/", "/nested/a/b/deep"},
		{a, "b/deep", "/nested/a/b/deep"},
		{a, "/nested/a/b/deep", "/nested/a/b/deep"},
		{a, "rel_link", "/nested/a/rel_link"}, // relative soft link
	}
	for _, p := range paths {
		d, err := p.g.Dataset(p.path)
		if err != nil {
			t.Errorf("%s from %s: %v", p.path, p.g.Name(), err)
			continue
		}
		got, err := d.ReadFloat64()
		if err != nil || !reflect.DeepEqual(got, want) || d.Name() != p.name {
			t.Errorf("%s from %s: %v %v name %q", p.path, p.g.Name(), got, err, d.Name())
		}
	}
	for path, want := range map[string]ObjectType{"nested": ObjectGroup, "f32": ObjectDataset,
		"link_to_f32": ObjectDataset, "nested/a": ObjectGroup, "hard_alias": ObjectDataset} {
		if got, err := f.Root().MemberType(path); got != want || err != nil {
			t.Errorf("MemberType(%q) = %v, %v; want %v", path, got, err, want)
		}
	}
	if g, err := f.Group("/"); err != nil || g.Name() != "/" {
		t.Errorf("Group(/) = %v, %v", g, err)
	}
	if f.Name() != "basic.h5" {
		t.Errorf("Name() = %q", f.Name())
	}
}

func TestDtypeString(t *testing.T) {
	f := openFixture(t, "basic.h5")
	for path, want := range map[string]string{"/u8": "uint8", "/be_f8": "float64 (big-endian)",
		"/i16": "int16", "/fixed_strings": "string[5]", "/vlen_strings": "vlen string", "/bool": "int8"} {
		if got := mustDataset(t, f, path).Dtype().String(); got != want {
			t.Errorf("%s: Dtype().String() = %q, want %q", path, got, want)
		}
	}
}

// TestKerasWeights reads the fixtures the way the Keras importer does:
// layer_names on the root (save_weights) or model_weights group (save), then
// weight_names per layer, then the weight datasets.
func TestKerasWeights(t *testing.T) {
	exp := loadExpected(t)
	for _, c := range []struct{ file, group string }{{"keras_weights.h5", "/"}, {"keras_model.h5", "/model_weights"}} {
		f := openFixture(t, c.file)
		g, err := f.Group(c.group)
		if err != nil {
			t.Fatal(err)
		}
		layers := attrStrings(t, g, "layer_names")
		if !reflect.DeepEqual(layers, []string{"conv1", "flatten", "dense"}) {
			t.Errorf("%s: layer_names = %q", c.file, layers)
		}
		if v := attrStrings(t, g, "keras_version"); !reflect.DeepEqual(v, []string{"2.2.4"}) {
			t.Errorf("%s: keras_version = %q", c.file, v)
		}
		var nweights int
		for _, layer := range layers {
			lg, err := g.Group(layer)
			if err != nil {
				t.Fatal(err)
			}
			for _, wn := range attrStrings(t, lg, "weight_names") {
				d, err := lg.Dataset(wn)
				if err != nil {
					t.Fatalf("%s: %v", c.file, err)
				}
				w, err := d.ReadFloat32()
				if err != nil {
					t.Fatal(err)
				}
				e := exp[c.file].Datasets[d.Name()]
				checkFloat32s(t, c.file+" "+d.Name(), w, nil, e.Floats)
				if !reflect.DeepEqual(d.Shape(), e.Shape) {
					t.Errorf("%s: shape %v, want %v", d.Name(), d.Shape(), e.Shape)
				}
				nweights++
			}
		}
		if nweights != 4 {
			t.Errorf("%s: read %d weights, want 4", c.file, nweights)
		}
	}
	// model.save also stores the architecture as a JSON vlen string.
	f := openFixture(t, "keras_model.h5")
	cfg := attrStrings(t, f.Root(), "model_config")
	var m map[string]any
	if len(cfg) != 1 || json.Unmarshal([]byte(cfg[0]), &m) != nil || m["class_name"] != "Sequential" {
		t.Errorf("model_config = %q", cfg)
	}
	if a, _ := f.Root().Attr("model_config"); a == nil || !a.Dtype().VarLen {
		t.Error("model_config should be a vlen string attribute")
	}
}

func attrStrings(t *testing.T, g *Group, name string) []string {
	t.Helper()
	a, err := g.Attr(name)
	if err != nil {
		t.Fatal(err)
	}
	s, err := a.Strings()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestNewReader checks the io.ReaderAt entry point and that Close on such a
// file is a harmless no-op.
func TestNewReader(t *testing.T) {
	data := readFixture(t, filepath.Join("testdata", "chunked.h5"))
	f, err := NewReader(bytes.NewReader(data), int64(len(data)), "mem.h5")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	d := mustDataset(t, f, "missing")
	v, err := d.ReadFloat64()
	if err != nil {
		t.Fatal(err)
	}
	// Chunk (0,4) was never written: it must read as the fill value -1.5.
	if v[0*10+5] != -1.5 || v[9*10+9] != -1.5 || v[0] == -1.5 {
		t.Errorf("fill values not applied: %v", v[:10])
	}
	if _, err := NewReader(bytes.NewReader(nil), 0, "empty.h5"); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "empty.h5") {
		t.Errorf("empty file: %v", err)
	}
	if _, err := Open(filepath.Join("testdata", "nonexistent.h5")); err == nil || !strings.Contains(err.Error(), "hdf5: nonexistent.h5: ") {
		t.Errorf("missing file: %v", err)
	}
}

func TestFloat16(t *testing.T) {
	for h, want := range map[uint16]float32{0x3c00: 1, 0xc000: -2, 0x7bff: 65504, 0x0001: 5.960464477539063e-08, 0x8000: 0} {
		if got := float16(h); got != want {
			t.Errorf("float16(%#x) = %v, want %v", h, got, want)
		}
	}
}

// TestConcurrentReads backs the documented claim that a File may be shared
// between goroutines (run with -race).
func TestConcurrentReads(t *testing.T) {
	f := openFixture(t, "basic.h5")
	g := f.Root()
	done := make(chan error)
	for i := 0; i < 4; i++ {
		go func() {
			var err error
			for j := 0; j < 20 && err == nil; j++ {
				var d *Dataset
				if d, err = g.Dataset("vlen_strings"); err == nil {
					_, err = d.ReadStrings()
				}
				if err == nil {
					_, err = g.Members()
				}
				if err == nil {
					var a *Attribute
					if a, err = g.Attr("vlen_str_arr"); err == nil {
						_, err = a.Strings()
					}
				}
			}
			done <- err
		}()
	}
	for i := 0; i < 4; i++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
