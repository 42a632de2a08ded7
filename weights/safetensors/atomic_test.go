package safetensors

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// failingWriter passes through the first n bytes and then fails, standing in
// for a full disk or an I/O error part-way through a checkpoint.
type failingWriter struct {
	w io.Writer
	n int
}

var errInjected = errors.New("injected write failure")

func (f *failingWriter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		n, _ := f.w.Write(p[:f.n])
		f.n = 0
		return n, errInjected
	}
	f.n -= len(p)
	return f.w.Write(p)
}

// failAfter is a test-only Option that makes WriteFile's writes fail after
// n bytes.
func failAfter(n int) Option {
	return func(c *writeConfig) {
		c.wrap = func(w io.Writer) io.Writer { return &failingWriter{w: w, n: n} }
	}
}

// dirEntries lists the names in dir.
func dirEntries(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

func bigTensors(v float32) []Tensor {
	values := make([]float32, 100_000) // far more than one buffered write
	for i := range values {
		values[i] = v
	}
	return []Tensor{{Name: "w", Shape: []int{len(values)}, Values: values}}
}

func TestWriteFileFailureLeavesOldFileIntact(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ckpt.safetensors")
	if err := WriteFile(path, bigTensors(1), map[string]string{"epoch": "1"}); err != nil {
		t.Fatal(err)
	}
	old, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	for _, at := range []int{0, 5, 100, 200_000} { // in the prefix, header, and data
		err := WriteFile(path, bigTensors(2), map[string]string{"epoch": "2"}, failAfter(at))
		if !errors.Is(err, errInjected) {
			t.Fatalf("failing after %d bytes: err = %v, want the injected error", at, err)
		}
		now, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(now, old) {
			t.Fatalf("failing after %d bytes changed the existing file", at)
		}
		if names := dirEntries(t, dir); len(names) != 1 || names[0] != "ckpt.safetensors" {
			t.Fatalf("failing after %d bytes left %q in the directory", at, names)
		}
	}
}

func TestWriteFileInvalidInputCreatesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.safetensors")
	err := WriteFile(path, []Tensor{{Name: "a", Shape: []int{2}, Values: []float32{1}}}, nil)
	if err == nil {
		t.Fatal("WriteFile accepted a tensor with the wrong number of values")
	}
	if names := dirEntries(t, dir); len(names) != 0 {
		t.Fatalf("directory holds %q after a rejected write", names)
	}
}

func TestWriteFileReplacesAndKeepsPermissions(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.safetensors")
	if err := WriteFile(path, bigTensors(1), nil); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o644 {
		t.Errorf("new file has mode %v, want 0644", st.Mode().Perm())
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, bigTensors(3), map[string]string{"v": "2"}); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("replaced file has mode %v, want 0600 kept", st.Mode().Perm())
	}
	f, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if v, err := f.Float32("w"); err != nil || v[0] != 3 || f.Metadata()["v"] != "2" {
		t.Fatalf("replaced file holds %v… (%v), metadata %q", v[:1], err, f.Metadata())
	}
	if names := dirEntries(t, dir); len(names) != 1 {
		t.Fatalf("directory holds %q, want just the file", names)
	}
}
