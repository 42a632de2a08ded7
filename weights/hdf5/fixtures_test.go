package hdf5

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// expValue is what h5py read for a dataset or attribute (see
// testdata/make_fixtures.py).
type expValue struct {
	Kind    string              `json:"kind"`
	Size    int                 `json:"size"`
	Order   string              `json:"order"`
	VarLen  bool                `json:"varlen"`
	Null    bool                `json:"null"`
	Shape   []int               `json:"shape"`
	Ints    []int64             `json:"ints"`
	Floats  []float64           `json:"floats"`
	Strings []string            `json:"strings"`
	Attrs   map[string]expValue `json:"attrs"`
}

type expGroup struct {
	Members []string            `json:"members"`
	Attrs   map[string]expValue `json:"attrs"`
}

// expError is an operation the reader must reject.
type expError struct {
	Op       string `json:"op"` // open, members, attrs, read, readint64
	Is       string `json:"is"` // sentinel: unsupported, notfound, type
	Contains string `json:"contains"`
}

type expFile struct {
	Groups    map[string]expGroup `json:"groups"`
	Datasets  map[string]expValue `json:"datasets"`
	Errors    map[string]expError `json:"errors"`
	Datatypes []string            `json:"datatypes"`
}

func loadExpected(t *testing.T) map[string]expFile {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var exp map[string]expFile
	if err := json.Unmarshal(b, &exp); err != nil {
		t.Fatal(err)
	}
	return exp
}

var sentinels = map[string]error{"unsupported": ErrUnsupported, "notfound": ErrNotFound, "type": ErrType}

// checkErr verifies err against an expected failure, including the
// "hdf5: <file>: " prefix every error must carry.
func checkErr(t *testing.T, file, what string, err error, want expError) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: expected error containing %q, got nil", what, want.Contains)
		return
	}
	if !errors.Is(err, sentinels[want.Is]) {
		t.Errorf("%s: error %q does not match sentinel %q", what, err, want.Is)
	}
	if !strings.Contains(err.Error(), want.Contains) {
		t.Errorf("%s: error %q does not contain %q", what, err, want.Contains)
	}
	if !strings.HasPrefix(err.Error(), "hdf5: "+file+": ") {
		t.Errorf("%s: error %q does not name the file", what, err)
	}
}

// TestFixtures compares every group, dataset and attribute of every fixture
// with the values h5py read when the fixture was generated.
func TestFixtures(t *testing.T) {
	exp := loadExpected(t)
	if len(exp) != len(fixtureNames(t)) {
		t.Fatalf("expected.json describes %d files, testdata has %d", len(exp), len(fixtureNames(t)))
	}
	for file, ef := range exp {
		t.Run(file, func(t *testing.T) {
			f, err := Open(filepath.Join("testdata", file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			for path, eg := range ef.Groups {
				checkGroup(t, f, file, path, eg, ef.Errors)
			}
			for path, ed := range ef.Datasets {
				checkDataset(t, f, file, path, ed, ef.Errors[path])
			}
			for path, ee := range ef.Errors {
				if ee.Op == "open" {
					_, err := f.Dataset(path)
					checkErr(t, file, path, err, ee)
				}
			}
			for _, path := range ef.Datatypes {
				if typ, err := f.Root().MemberType(path); err != nil || typ != ObjectDatatype {
					t.Errorf("%s: MemberType = %v, %v; want datatype", path, typ, err)
				}
			}
		})
	}
}

func checkGroup(t *testing.T, f *File, file, path string, eg expGroup, errs map[string]expError) {
	g, err := f.Group(path)
	if err != nil {
		t.Errorf("Group(%q): %v", path, err)
		return
	}
	if g.Name() != path {
		t.Errorf("Group(%q).Name() = %q", path, g.Name())
	}
	members, err := g.Members()
	if ee, ok := errs[path]; ok && ee.Op == "members" {
		checkErr(t, file, path, err, ee)
		return
	}
	if err != nil {
		t.Errorf("%s: Members: %v", path, err)
	} else if !reflect.DeepEqual(members, eg.Members) {
		t.Errorf("%s: Members = %v, want %v", path, members, eg.Members)
	}
	checkAttrs(t, fmt.Sprintf("group %s", path), g.Attrs, g.Attr, eg.Attrs)
}

func checkAttrs(t *testing.T, what string, list func() ([]string, error), get func(string) (*Attribute, error), want map[string]expValue) {
	t.Helper()
	names, err := list()
	if err != nil {
		t.Errorf("%s: Attrs: %v", what, err)
		return
	}
	var wantNames []string
	for n := range want {
		wantNames = append(wantNames, n)
	}
	sort.Strings(names)
	sort.Strings(wantNames)
	if len(names) != len(wantNames) || (len(names) > 0 && !reflect.DeepEqual(names, wantNames)) {
		t.Errorf("%s: Attrs = %v, want %v", what, names, wantNames)
	}
	for n, ev := range want {
		a, err := get(n)
		if err != nil {
			t.Errorf("%s: Attr(%q): %v", what, n, err)
			continue
		}
		if a.Name() != n {
			t.Errorf("%s: Attr(%q).Name() = %q", what, n, a.Name())
		}
		aw := what + " attr " + n
		checkShapeType(t, aw, a.Shape(), a.Dtype(), ev)
		switch {
		case ev.Kind == "other":
			if _, err := a.Float64s(); !errors.Is(err, ErrUnsupported) {
				t.Errorf("%s: Float64s on unsupported type: %v", aw, err)
			}
			if _, err := a.Strings(); !errors.Is(err, ErrType) {
				t.Errorf("%s: Strings on unsupported type: %v", aw, err)
			}
		case ev.Strings != nil:
			got, err := a.Strings()
			checkStrings(t, aw, got, err, ev.Strings)
		case ev.Ints != nil:
			got, err := a.Int64s()
			checkInts(t, aw, got, err, ev.Ints)
			gotf, err := a.Float64s()
			checkFloats(t, aw+" as float64", gotf, err, intsToFloats(ev.Ints))
		case ev.Floats != nil:
			got, err := a.Float64s()
			checkFloats(t, aw, got, err, ev.Floats)
		}
	}
}

func checkShapeType(t *testing.T, what string, shape []int, dt Dtype, ev expValue) {
	t.Helper()
	if len(shape) != len(ev.Shape) || (len(shape) > 0 && !reflect.DeepEqual(shape, ev.Shape)) {
		t.Errorf("%s: Shape = %v, want %v", what, shape, ev.Shape)
	}
	if dt.Kind.String() != ev.Kind {
		t.Errorf("%s: Kind = %v, want %v", what, dt.Kind, ev.Kind)
	}
	if ev.Kind == "other" {
		if dt.Size != ev.Size {
			t.Errorf("%s: Size = %d, want %d", what, dt.Size, ev.Size)
		}
		return
	}
	if ev.Kind == "string" {
		if dt.VarLen != ev.VarLen || (!ev.VarLen && dt.Size != ev.Size) {
			t.Errorf("%s: Dtype = %+v, want size %d varlen %v", what, dt, ev.Size, ev.VarLen)
		}
		return
	}
	if dt.Size != ev.Size {
		t.Errorf("%s: Size = %d, want %d", what, dt.Size, ev.Size)
	}
	wantOrder := binary.ByteOrder(binary.LittleEndian)
	if ev.Order == ">" {
		wantOrder = binary.BigEndian
	}
	if dt.ByteOrder != wantOrder {
		t.Errorf("%s: ByteOrder = %v, want %v", what, dt.ByteOrder, wantOrder)
	}
}

func checkDataset(t *testing.T, f *File, file, path string, ev expValue, ee expError) {
	d, err := f.Dataset(path)
	if err != nil {
		t.Errorf("Dataset(%q): %v", path, err)
		return
	}
	if d.Name() != path {
		t.Errorf("Dataset(%q).Name() = %q", path, d.Name())
	}
	checkShapeType(t, path, d.Shape(), d.Dtype(), ev)
	n := 1
	for _, s := range ev.Shape {
		n *= s
	}
	if ev.Null {
		n = 0
	}
	if d.Len() != n {
		t.Errorf("%s: Len = %d, want %d", path, d.Len(), n)
	}
	if ee.Op == "attrs" {
		_, err := d.Attrs()
		checkErr(t, file, path, err, ee)
	} else {
		checkAttrs(t, "dataset "+path, d.Attrs, d.Attr, ev.Attrs)
	}
	if ee.Op == "read" {
		_, err := d.ReadFloat64()
		checkErr(t, file, path+" ReadFloat64", err, ee)
		_, err = d.ReadFloat32()
		checkErr(t, file, path+" ReadFloat32", err, ee)
		return
	}
	switch {
	case ev.Kind == "other":
		for _, read := range []func() error{
			func() error { return second(d.ReadFloat32()) },
			func() error { return second(d.ReadFloat64()) },
		} {
			if err := read(); !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "compound") {
				t.Errorf("%s: reading unsupported type: %v", path, err)
			}
		}
	case ev.Strings != nil:
		got, err := d.ReadStrings()
		checkStrings(t, path, got, err, ev.Strings)
		if _, err := d.ReadFloat32(); !errors.Is(err, ErrType) {
			t.Errorf("%s: ReadFloat32 on strings: want ErrType, got %v", path, err)
		}
	case ev.Ints != nil:
		got, err := d.ReadInt64()
		checkInts(t, path, got, err, ev.Ints)
		got64, err := d.ReadFloat64()
		checkFloats(t, path+" ReadFloat64", got64, err, intsToFloats(ev.Ints))
		got32, err := d.ReadFloat32()
		checkFloat32s(t, path, got32, err, intsToFloats(ev.Ints))
		if d.Dtype().Kind == Uint && d.Dtype().Size == 1 {
			u8, err := d.ReadUint8()
			checkInts(t, path+" ReadUint8", uint8sToInts(u8), err, ev.Ints)
		} else if _, err := d.ReadUint8(); !errors.Is(err, ErrType) {
			t.Errorf("%s: ReadUint8 on %v: want ErrType, got %v", path, d.Dtype(), err)
		}
	case ev.Floats != nil:
		got, err := d.ReadFloat64()
		checkFloats(t, path, got, err, ev.Floats)
		got32, err := d.ReadFloat32()
		checkFloat32s(t, path, got32, err, ev.Floats)
		if ee.Op == "readint64" {
			_, err := d.ReadInt64()
			checkErr(t, file, path+" ReadInt64", err, ee)
		} else if _, err := d.ReadInt64(); d.Dtype().Kind == Float && !errors.Is(err, ErrType) {
			t.Errorf("%s: ReadInt64 on float: want ErrType, got %v", path, err)
		}
	}
}

func intsToFloats(v []int64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

func uint8sToInts(v []uint8) []int64 {
	out := make([]int64, len(v))
	for i, x := range v {
		out[i] = int64(x)
	}
	return out
}

func checkStrings(t *testing.T, what string, got []string, err error, want []string) {
	t.Helper()
	if err != nil {
		t.Errorf("%s: %v", what, err)
	} else if len(got) != len(want) || (len(got) > 0 && !reflect.DeepEqual(got, want)) {
		t.Errorf("%s: got %q, want %q", what, got, want)
	}
}

func checkInts(t *testing.T, what string, got []int64, err error, want []int64) {
	t.Helper()
	if err != nil {
		t.Errorf("%s: %v", what, err)
	} else if len(got) != len(want) || (len(got) > 0 && !reflect.DeepEqual(got, want)) {
		t.Errorf("%s: got %v, want %v", what, got, want)
	}
}

func checkFloats(t *testing.T, what string, got []float64, err error, want []float64) {
	t.Helper()
	if err != nil {
		t.Errorf("%s: %v", what, err)
		return
	}
	if len(got) != len(want) {
		t.Errorf("%s: got %d values, want %d", what, len(got), len(want))
		return
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("%s[%d] = %v, want %v", what, i, got[i], want[i])
			return
		}
	}
}

func checkFloat32s(t *testing.T, what string, got []float32, err error, want []float64) {
	t.Helper()
	if err != nil {
		t.Errorf("%s ReadFloat32: %v", what, err)
		return
	}
	if len(got) != len(want) {
		t.Errorf("%s ReadFloat32: got %d values, want %d", what, len(got), len(want))
		return
	}
	for i := range got {
		if got[i] != float32(want[i]) && !(math.IsNaN(float64(got[i])) && math.IsNaN(want[i])) {
			t.Errorf("%s ReadFloat32[%d] = %v, want %v", what, i, got[i], float32(want[i]))
			return
		}
	}
}
