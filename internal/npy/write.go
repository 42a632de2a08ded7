package npy

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Float32 and Float64 are the element types Write can store.
const (
	Float32 = "<f4"
	Float64 = "<f8"
)

// Write writes data, of the given C-order shape, as a .npy file of element
// type dtype (Float32 or Float64), with the header numpy.save writes:
// version 1.0 (2.0 when the header needs more than 65535 bytes), padded so
// that the data starts at a multiple of 64 bytes.
func Write(w io.Writer, shape []int, data []float32, dtype string) error {
	if dtype != Float32 && dtype != Float64 {
		return fmt.Errorf("npy: cannot write element type %q (want %q or %q)", dtype, Float32, Float64)
	}
	n := 1
	for _, d := range shape {
		if d < 0 {
			return fmt.Errorf("npy: shape %v has a negative dimension", shape)
		}
		n *= d
	}
	if n != len(data) {
		return fmt.Errorf("npy: shape %v holds %d elements, the data %d", shape, n, len(data))
	}
	if len(shape) > MaxDims {
		return fmt.Errorf("npy: shape %v has more than %d dimensions", shape, MaxDims)
	}
	dims := make([]string, len(shape))
	for i, d := range shape {
		dims[i] = strconv.Itoa(d)
	}
	tuple := strings.Join(dims, ", ")
	if len(shape) == 1 {
		tuple += ","
	}
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%s), }", dtype, tuple)
	// The header's length prefix is 2 bytes in version 1.0, 4 in 2.0; the
	// dict is padded with spaces and ended by '\n' to a multiple of 64.
	version, prefix := byte(1), 10
	if pad(prefix, len(dict)) > math.MaxUint16 {
		version, prefix = 2, 12
	}
	hlen := pad(prefix, len(dict))
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.Write(magic)
	bw.Write([]byte{version, 0})
	if version == 1 {
		binary.Write(bw, binary.LittleEndian, uint16(hlen))
	} else {
		binary.Write(bw, binary.LittleEndian, uint32(hlen))
	}
	bw.WriteString(dict)
	bw.WriteString(strings.Repeat(" ", hlen-len(dict)-1))
	bw.WriteByte('\n')
	var b [8]byte
	for _, v := range data {
		if dtype == Float32 {
			binary.LittleEndian.PutUint32(b[:4], math.Float32bits(v))
			bw.Write(b[:4])
		} else {
			binary.LittleEndian.PutUint64(b[:], math.Float64bits(float64(v)))
			bw.Write(b[:])
		}
	}
	return bw.Flush()
}

// pad is the header length, newline included, that puts the data of a
// header of dictLen bytes after a prefix of prefix bytes at a multiple of 64.
func pad(prefix, dictLen int) int {
	total := prefix + dictLen + 1
	total = (total + 63) / 64 * 64
	return total - prefix
}

// WriteFile writes a .npy file (see Write). The file is written under a
// temporary name and renamed into place, so a failed write leaves no
// half-written file behind.
func WriteFile(path string, shape []int, data []float32, dtype string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".npy-*")
	if err != nil {
		return fmt.Errorf("npy: %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := Write(tmp, shape, data, dtype); err != nil {
		tmp.Close()
		return fmt.Errorf("npy: %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("npy: %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("npy: %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("npy: %s: %w", path, err)
	}
	return nil
}
