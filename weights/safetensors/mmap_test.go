package safetensors

import (
	"bufio"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"unsafe"
)

// mappingOf returns the address range of the mapping of path in this
// process, from /proc/self/maps (Linux only), and whether one exists.
func mappingOf(t *testing.T, path string) (lo, hi uintptr, ok bool) {
	t.Helper()
	m, err := os.Open("/proc/self/maps")
	if err != nil {
		t.Skip("no /proc/self/maps:", err)
	}
	defer m.Close()
	sc := bufio.NewScanner(m)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasSuffix(line, " "+path) {
			continue
		}
		if _, err := fmt.Sscanf(line, "%x-%x", &lo, &hi); err != nil {
			t.Fatalf("parsing %q: %v", line, err)
		}
		return lo, hi, true
	}
	return 0, 0, false
}

func TestReadFileMapsAndViewsWithoutCopy(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("checks /proc/self/maps")
	}
	path := filepath.Join(t.TempDir(), "model.safetensors")
	values := make([]float32, 10_000)
	for i := range values {
		values[i] = float32(i) * 0.5
	}
	err := WriteFile(path, []Tensor{
		{Name: "a/bias", Dtype: F16, Shape: []int{3}, Values: []float32{1, 2, 3}}, // odd-sized neighbour
		{Name: "b/kernel", Shape: []int{100, 100}, Values: values},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}

	f, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lo, hi, ok := mappingOf(t, path)
	if !ok {
		t.Fatal("file is not mapped after ReadFile")
	}
	view, err := f.Float32("b/kernel")
	if err != nil {
		t.Fatal(err)
	}
	start := uintptr(unsafe.Pointer(&view[0]))
	end := start + uintptr(len(view))*4
	if start < lo || end > hi {
		t.Fatalf("Float32 returned [%#x, %#x), outside the mapping [%#x, %#x): it copied", start, end, lo, hi)
	}
	for i, v := range values {
		if math.Float32bits(view[i]) != math.Float32bits(v) {
			t.Fatalf("view[%d] = %v, want %v", i, view[i], v)
		}
	}
	// Converted dtypes are necessarily copies, but must still be correct.
	if b, err := f.Float32("a/bias"); err != nil || b[2] != 3 {
		t.Fatalf("a/bias = %v, %v", b, err)
	}

	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, ok := mappingOf(t, path); ok {
		t.Fatal("file is still mapped after Close")
	}
	if err := f.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

// Parse views aligned F32 data in place, and falls back to a correct copy
// for a misaligned F32 tensor (possible in files from other writers).
func TestFloat32ViewsAlignedAndCopiesMisaligned(t *testing.T) {
	header := `{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},` +
		`"b":{"dtype":"F32","shape":[2],"data_offsets":[1,9]},` +
		`"c":{"dtype":"F32","shape":[1],"data_offsets":[12,16]},` +
		`"d":{"dtype":"U8","shape":[3],"data_offsets":[9,12]}}`
	for (prefixLen+len(header))%8 != 0 {
		header += " "
	}
	data := file(header, 16)
	buf := data[len(data)-16:]
	copy(buf[1:], []byte{0, 0, 0xc0, 0x3f, 0, 0, 0x80, 0xbf}) // b = 1.5, -1
	copy(buf[12:], []byte{0, 0, 0x20, 0x41})                  // c = 10
	if uintptr(unsafe.Pointer(&buf[0]))%8 != 0 {
		t.Skip("test buffer is not 8-aligned")
	}
	f, err := Parse("unaligned", data)
	if err != nil {
		t.Fatal(err)
	}

	got, err := f.Float32("b")
	if err != nil || len(got) != 2 || got[0] != 1.5 || got[1] != -1 {
		t.Fatalf("Float32(b) = %v, %v", got, err)
	}
	if unsafe.Pointer(&got[0]) == unsafe.Pointer(&buf[1]) {
		t.Fatal("misaligned data was viewed in place")
	}

	got, err = f.Float32("c")
	if err != nil || len(got) != 1 || got[0] != 10 {
		t.Fatalf("Float32(c) = %v, %v", got, err)
	}
	if hostLittleEndian && unsafe.Pointer(&got[0]) != unsafe.Pointer(&buf[12]) {
		t.Fatal("aligned F32 data was copied instead of viewed")
	}
}

func TestReadFileSmallAndMissing(t *testing.T) {
	dir := t.TempDir()
	if _, err := ReadFile(filepath.Join(dir, "absent")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: err = %v", err)
	}
	tiny := filepath.Join(dir, "tiny")
	os.WriteFile(tiny, []byte{1, 2}, 0o644)
	if _, err := ReadFile(tiny); err == nil || !strings.Contains(err.Error(), tiny) {
		t.Errorf("tiny file: err = %v, want an error naming it", err)
	}
	bad := filepath.Join(dir, "bad.safetensors")
	os.WriteFile(bad, file(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}`, 4), 0o644)
	if _, err := ReadFile(bad); err == nil || !strings.Contains(err.Error(), bad+`: tensor "a"`) {
		t.Errorf("bad file: err = %v", err)
	}
	if runtime.GOOS == "linux" {
		if _, _, ok := mappingOf(t, bad); ok {
			t.Error("a rejected file stays mapped")
		}
	}
}
