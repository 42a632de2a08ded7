package npy

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/simdnet/simdnet/internal/allocs"
)

// want recomputes testdata/make_fixtures.py's values for element k.
func want(k int, kind byte) float32 {
	switch kind {
	case 'f':
		return float32(k%7-3) + float32(k)/8
	case 'u':
		return float32(k % 251)
	case 'b':
		if k%3 == 0 {
			return 1
		}
		return 0
	}
	return float32(k%7 - 3)
}

func TestReadNumPyFiles(t *testing.T) {
	for _, c := range []struct {
		file, dtype string
		shape       []int
	}{
		{"f4_2x3", "<f4", []int{2, 3}},
		{"f8_4", "<f8", []int{4}},
		{"i8_3x2", "<i8", []int{3, 2}},
		{"i4_2x2x2", "<i4", []int{2, 2, 2}},
		{"i2_5", "<i2", []int{5}},
		{"i1_5", "|i1", []int{5}},
		{"u1_2x3x4", "|u1", []int{2, 3, 4}},
		{"u2_3", "<u2", []int{3}},
		{"b1_6", "|b1", []int{6}},
		{"f4_scalar", "<f4", []int{}},
		{"f4_empty", "<f4", []int{0, 3}},
		{"f4_1x3x8x8", "<f4", []int{1, 3, 8, 8}},
		{"f4_2x3_v2", "<f4", []int{2, 3}},
		{"f4_2x3_v3", "<f4", []int{2, 3}},
	} {
		t.Run(c.file, func(t *testing.T) {
			path := filepath.Join("testdata", c.file+".npy")
			a, err := ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if a.Dtype != c.dtype || !slices.Equal(a.Shape, c.shape) {
				t.Fatalf("dtype %q shape %v, want %q %v", a.Dtype, a.Shape, c.dtype, c.shape)
			}
			n := 1
			for _, d := range c.shape {
				n *= d
			}
			if len(a.Data) != n {
				t.Fatalf("%d elements, want %d", len(a.Data), n)
			}
			for k, v := range a.Data {
				if w := want(k, c.dtype[1]); v != w {
					t.Fatalf("element %d = %v, want %v", k, v, w)
				}
			}
			// The streaming reader agrees, followed by more bytes.
			raw, _ := os.ReadFile(path)
			b, err := Read(path, bytes.NewReader(append(raw, "more"...)))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(a.Data, b.Data) || !slices.Equal(a.Shape, b.Shape) {
				t.Fatal("Read and ReadFile disagree")
			}
		})
	}
}

// TestWriteMatchesNumPy compares Write's bytes with numpy.save's.
func TestWriteMatchesNumPy(t *testing.T) {
	for _, c := range []struct {
		file, dtype string
		shape       []int
	}{
		{"f4_2x3", Float32, []int{2, 3}},
		{"f4_4", Float32, []int{4}},
		{"f8_4", Float64, []int{4}},
		{"f4_scalar", Float32, []int{}},
		{"f4_empty", Float32, []int{0, 3}},
		{"f4_1x3x8x8", Float32, []int{1, 3, 8, 8}},
	} {
		t.Run(c.file, func(t *testing.T) {
			wantBytes, err := os.ReadFile(filepath.Join("testdata", c.file+".npy"))
			if err != nil {
				t.Fatal(err)
			}
			n := 1
			for _, d := range c.shape {
				n *= d
			}
			data := make([]float32, n)
			for k := range data {
				data[k] = want(k, 'f')
			}
			var buf bytes.Buffer
			if err := Write(&buf, c.shape, data, c.dtype); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf.Bytes(), wantBytes) {
				t.Fatalf("Write gave\n%q\nnumpy.save gave\n%q", buf.Bytes(), wantBytes)
			}
		})
	}
}

func TestWriteFileRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.npy")
	shape := []int{2, 1, 3}
	data := []float32{1.5, -2, 3e-7, 4, 5, 6}
	if err := WriteFile(path, shape, data, Float32); err != nil {
		t.Fatal(err)
	}
	a, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Shape, shape) || !slices.Equal(a.Data, data) {
		t.Fatalf("read back %v %v", a.Shape, a.Data)
	}
	if err := WriteFile(path, []int{2, 2}, data, Float32); err == nil {
		t.Error("a shape of 4 elements was written with 6 values")
	}
	if err := WriteFile(path, shape, data, "<i4"); err == nil {
		t.Error("an integer file was written")
	}
	if _, err := ReadFile(path); err != nil {
		t.Errorf("a refused write damaged the earlier file: %v", err)
	}
}

// npyFile builds a version-1.0 file of the given header dict and data.
func npyFile(dict string, data []byte) []byte {
	var b bytes.Buffer
	b.WriteString("\x93NUMPY\x01\x00")
	binary.Write(&b, binary.LittleEndian, uint16(len(dict)))
	b.WriteString(dict)
	b.Write(data)
	return b.Bytes()
}

func TestRefused(t *testing.T) {
	good, err := os.ReadFile(filepath.Join("testdata", "f4_2x3.npy"))
	if err != nil {
		t.Fatal(err)
	}
	lying := slices.Clone(good)
	binary.LittleEndian.PutUint16(lying[8:], 60000)
	v2 := slices.Clone(good[:8])
	v2[6] = 2
	v2 = append(v2, 0xff, 0xff, 0xff, 0x7f)
	v2 = append(v2, good[10:]...)
	data24 := make([]byte, 24)
	for _, c := range []struct {
		name string
		file []byte
		msg  string
	}{
		{"empty", nil, "too short"},
		{"magic", []byte("PK\x03\x04 not npy at all"), "does not start with"},
		{"version", append([]byte("\x93NUMPY\x04\x00"), good[8:]...), "version 4.0"},
		{"lying header length", lying, "runs past the end"},
		{"huge v2 header length", v2, "over the limit"},
		{"truncated data", good[:len(good)-1], "needs 24 bytes of data, the file holds 23"},
		{"trailing data", append(slices.Clone(good), 0), "needs 24 bytes of data, the file holds 25"},
		{"fortran", mustRead(t, "f4_fortran"), "Fortran order"},
		{"big-endian", mustRead(t, "f4_big"), "big-endian"},
		{"huge shape", npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000, 100000), }", data24), "more than"},
		{"overflowing dim", npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999,), }", data24), "over the limit"},
		{"lying shape", npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000,), }", data24), "needs 4000000 bytes"},
		{"object", npyFile("{'descr': '|O', 'fortran_order': False, 'shape': (3,), }", data24), "not supported"},
		{"structured", npyFile("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (3,), }", data24), "structured"},
		{"complex", npyFile("{'descr': '<c8', 'fortran_order': False, 'shape': (3,), }", data24), "not supported"},
		{"missing key", npyFile("{'descr': '<f4', 'shape': (6,), }", data24), "\"fortran_order\" missing"},
		{"extra key", npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (6,), 'x': 1}", data24), "unexpected key"},
		{"twice", npyFile("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (6,)}", data24), "twice"},
		{"int not tuple", npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (6), }", data24), "trailing comma"},
		{"negative", npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (-6,), }", data24), "non-negative"},
		{"not a dict", npyFile("['descr', '<f4']", data24), "not a dict"},
		{"unterminated", npyFile("{'descr: '<f4', 'fortran_order': False, 'shape': (6,), }", data24), ""},
		{"non-ascii v1", npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (6,), } \xc3\xa9", data24), "not ASCII"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Decode("bad.npy", c.file)
			if err == nil {
				t.Fatal("accepted")
			}
			var e *Error
			if !errors.As(err, &e) || e.File != "bad.npy" {
				t.Fatalf("error %v (%T) does not name the file", err, err)
			}
			if !strings.Contains(err.Error(), c.msg) {
				t.Errorf("error %q does not say %q", err, c.msg)
			}
			// The streaming reader refuses it too (it cannot see trailing data).
			if c.name != "trailing data" {
				if _, err := Read("bad.npy", bytes.NewReader(c.file)); err == nil {
					t.Error("Read accepted it")
				}
			}
		})
	}
}

func mustRead(t *testing.T, name string) []byte {
	b, err := os.ReadFile(filepath.Join("testdata", name+".npy"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestNoUnboundedAllocation: a header promising 2^31 − 1 elements over a
// few bytes of data costs no more than a small buffer, through ReadFile
// (which knows the size) and Read (which does not).
func TestNoUnboundedAllocation(t *testing.T) {
	file := npyFile(fmt.Sprintf("{'descr': '<f8', 'fortran_order': False, 'shape': (%d,), }", MaxElements), make([]byte, 64))
	path := filepath.Join(t.TempDir(), "big.npy")
	if err := os.WriteFile(path, file, 0o644); err != nil {
		t.Fatal(err)
	}
	for name, read := range map[string]func() error{
		"ReadFile": func() error { _, err := ReadFile(path); return err },
		"Read":     func() error { _, err := Read(path, bytes.NewReader(file)); return err },
	} {
		var err error
		if n := allocs.Bytes(func() { err = read() }); n > 8<<20 {
			t.Errorf("%s allocated %d bytes for a %d-byte file", name, n, len(file))
		}
		if err == nil {
			t.Errorf("%s accepted it", name)
		}
	}
}

// FuzzNPY: any bytes give an array whose size matches its shape and the
// bytes present, or an *Error; never a panic. An accepted array written
// back as float32 reads back equal.
func FuzzNPY(f *testing.F) {
	for _, name := range []string{"f4_2x3", "f8_4", "i8_3x2", "u1_2x3x4", "f4_scalar", "f4_empty", "f4_2x3_v2", "f4_2x3_v3", "b1_6", "f4_fortran"} {
		b, err := os.ReadFile(filepath.Join("testdata", name+".npy"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := Decode("fuzz.npy", data)
		s, serr := Read("fuzz.npy", bytes.NewReader(data))
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is a %T, not an *Error", err, err)
			}
			return
		}
		if serr != nil {
			t.Fatalf("Decode accepted what Read refused: %v", serr)
		}
		n := 1
		for _, d := range a.Shape {
			n *= d
		}
		if n != len(a.Data) || len(a.Data) > len(data) || !slices.Equal(s.Shape, a.Shape) || len(s.Data) != n {
			t.Fatalf("shape %v with %d elements from %d bytes", a.Shape, len(a.Data), len(data))
		}
		var buf bytes.Buffer
		if err := Write(&buf, a.Shape, a.Data, Float32); err != nil {
			t.Fatal(err)
		}
		b, err := Decode("again.npy", buf.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		for k := range a.Data {
			if a.Data[k] != b.Data[k] && a.Data[k] == a.Data[k] {
				t.Fatalf("element %d: %v became %v", k, a.Data[k], b.Data[k])
			}
		}
	})
}
