package data

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// h5Set is one dataset of a test HDF5 file: its name, dimensions, element
// type and stored bytes. The bytes need not match the dimensions, which is
// how tests build files that declare more than they hold.
type h5Set struct {
	name string
	dims []uint64
	typ  h5Type
	data []byte
}

// h5Type is an element type of a test file.
type h5Type int

const (
	h5Uint8 h5Type = iota
	h5Int64
	h5Float64
	h5Float32
)

// writeH5 builds a minimal HDF5 file: a version 2 superblock, a root group
// whose members are compact link messages, and one version 2 object header
// per dataset with contiguous storage. It is the smallest layout that
// weights/hdf5 reads, written independently of it from the format
// specification, so tests can make hostile files without h5py.
func writeH5(sets []h5Set) []byte {
	const superblockLen = 48
	headers := make([][]byte, len(sets))
	for i, s := range sets {
		headers[i] = datasetHeader(s, 0) // sized with a placeholder address
	}
	root := rootHeader(sets, make([]uint64, len(sets)))
	addr := make([]uint64, len(sets))
	next := uint64(superblockLen + len(root))
	for i := range sets {
		addr[i] = next
		next += uint64(len(headers[i]))
	}
	for i, s := range sets {
		headers[i] = datasetHeader(s, next)
		next += uint64(len(s.data))
	}
	out := make([]byte, 0, next)
	out = append(out, "\x89HDF\r\n\x1a\n"...)
	out = append(out, 2, 8, 8, 0) // version, offset and length sizes, flags
	out = le64(out, 0)            // base address
	out = le64(out, math.MaxUint64)
	out = le64(out, next) // end of file
	out = le64(out, superblockLen)
	out = le32(out, 0) // checksum (not verified by the reader)
	out = append(out, rootHeader(sets, addr)...)
	for _, h := range headers {
		out = append(out, h...)
	}
	for _, s := range sets {
		out = append(out, s.data...)
	}
	return out
}

// rootHeader is the root group: one hard link message per dataset.
func rootHeader(sets []h5Set, addr []uint64) []byte {
	var msgs []byte
	for i, s := range sets {
		body := []byte{1, 0, byte(len(s.name))} // version, flags, 1-byte name length
		body = append(body, s.name...)
		body = le64(body, addr[i])
		msgs = message(msgs, 0x06, body)
	}
	return objectHeader(msgs)
}

// datasetHeader is a dataset's object header: dataspace, datatype and a
// contiguous layout whose data lies at dataAddr.
func datasetHeader(s h5Set, dataAddr uint64) []byte {
	space := []byte{1, byte(len(s.dims)), 0, 0, 0, 0, 0, 0}
	for _, d := range s.dims {
		space = le64(space, d)
	}
	var dtype []byte
	switch s.typ {
	case h5Uint8:
		dtype = le16(le16(le32([]byte{0x10, 0, 0, 0}, 1), 0), 8)
	case h5Int64:
		dtype = le16(le16(le32([]byte{0x10, 0x08, 0, 0}, 8), 0), 64)
	case h5Float32:
		dtype = le32(append(le16(le16(le32([]byte{0x11, 0x20, 31, 0}, 4), 0), 32), 23, 8, 0, 23), 127)
	case h5Float64:
		dtype = le32(append(le16(le16(le32([]byte{0x11, 0x20, 63, 0}, 8), 0), 64), 52, 11, 0, 52), 1023)
	}
	layout := le64(le64([]byte{3, 1}, dataAddr), uint64(len(s.data)))
	msgs := message(nil, 0x01, space)
	msgs = message(msgs, 0x03, dtype)
	msgs = message(msgs, 0x08, layout)
	return objectHeader(msgs)
}

// objectHeader wraps messages in a version 2 header with a 4-byte chunk size.
func objectHeader(msgs []byte) []byte {
	h := append([]byte("OHDR"), 2, 0x02)
	h = le32(h, uint32(len(msgs)))
	h = append(h, msgs...)
	return le32(h, 0) // checksum (not verified)
}

// message appends one version 2 header message.
func message(b []byte, typ byte, body []byte) []byte {
	b = append(b, typ)
	b = le16(b, uint16(len(body)))
	b = append(b, 0)
	return append(b, body...)
}

func le16(b []byte, v uint16) []byte { return binary.LittleEndian.AppendUint16(b, v) }
func le32(b []byte, v uint32) []byte { return binary.LittleEndian.AppendUint32(b, v) }
func le64(b []byte, v uint64) []byte { return binary.LittleEndian.AppendUint64(b, v) }

// int64s and float64s are little-endian dataset bytes.
func int64s(v ...int64) []byte {
	var b []byte
	for _, x := range v {
		b = le64(b, uint64(x))
	}
	return b
}

func float64s(v ...float64) []byte {
	var b []byte
	for _, x := range v {
		b = le64(b, math.Float64bits(x))
	}
	return b
}

// signsLike is a small valid file in the tutorial's layout: n images of
// 2×2×3 pixels with the given labels, and list_classes when classes is not
// nil.
func signsLike(labels []int64, classes []int64) []h5Set {
	n := uint64(len(labels))
	pixels := make([]byte, n*12)
	for i := range pixels {
		pixels[i] = byte(i * 7)
	}
	sets := []h5Set{
		{"train_set_x", []uint64{n, 2, 2, 3}, h5Uint8, pixels},
		{"train_set_y", []uint64{n}, h5Int64, int64s(labels...)},
	}
	if classes != nil {
		sets = append(sets, h5Set{"list_classes", []uint64{uint64(len(classes))}, h5Int64, int64s(classes...)})
	}
	return sets
}

// saveH5 writes the file into a temporary folder and returns its path.
func saveH5(t testing.TB, name string, sets []h5Set) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, writeH5(sets), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
