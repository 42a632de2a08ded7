package safetensors

import (
	"encoding/binary"
	"fmt"
	"maps"
	"os"
	"slices"
	"sort"
)

// File is a parsed safetensors file. Its methods are safe for concurrent use
// until Close is called.
//
// Slices returned by Bytes and (for F32 tensors) Float32 may alias the file's
// memory. When the File came from ReadFile that memory is a private
// copy-on-write mapping: writing through such a slice changes this process's
// copy of the page (and what later calls return), never the file on disk;
// using the slice after Close is a use-after-free that faults. Copy what must
// outlive the File (for example with slices.Clone or Float32Into).
type File struct {
	name     string
	data     []byte // the data buffer: everything after the header
	tensors  []TensorInfo
	index    map[string]int // name → position in tensors
	metadata map[string]string
	closer   func() error // releases the mapping; nil for Parse
	closed   bool
}

// Parse parses a whole safetensors file held in data. name identifies the
// file in error messages. The returned File refers to data rather than
// copying it, so data must not be modified while the File is in use.
//
// Every structural rule of the format is checked before Parse returns: a
// malformed file yields a *FormatError naming the file and, where one is at
// fault, the tensor.
func Parse(name string, data []byte) (*File, error) {
	if len(data) < prefixLen {
		return nil, formatErr(name, "", "file is %d bytes, too short for the %d-byte header length", len(data), prefixLen)
	}
	n := binary.LittleEndian.Uint64(data[:prefixLen])
	avail := uint64(len(data) - prefixLen)
	switch {
	case n > maxHeaderLen:
		return nil, formatErr(name, "", "header length %d exceeds the %d-byte limit", n, maxHeaderLen)
	case n > avail:
		return nil, formatErr(name, "", "header length %d exceeds the %d bytes that follow it", n, avail)
	}
	hdr := data[prefixLen : prefixLen+n]
	buf := data[prefixLen+n:]

	h, err := parseHeader(name, hdr, len(buf))
	if err != nil {
		return nil, err
	}
	f := &File{
		name:     name,
		data:     buf,
		tensors:  h.tensors,
		index:    make(map[string]int, len(h.tensors)),
		metadata: h.metadata,
	}
	// Keep tensors sorted by name so Names and Tensors are deterministic
	// whatever order the writer used.
	sort.Slice(f.tensors, func(i, j int) bool { return f.tensors[i].Name < f.tensors[j].Name })
	for i, t := range f.tensors {
		f.index[t.Name] = i
	}
	return f, nil
}

// ReadFile opens and parses the safetensors file at path. Where the platform
// supports it the file is memory-mapped (privately: see File), so tensor data
// is paged in lazily and F32 tensors are returned without copying; elsewhere it is read
// into memory. Call Close to release the mapping.
//
// A mapped file must not be truncated or rewritten in place while in use
// (replacing it by rename, as WriteFile does, is safe).
func ReadFile(path string) (*File, error) {
	osf, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	defer osf.Close() // a mapping stays valid after its descriptor is closed

	data, unmap, err := loadFile(osf)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %s: %w", path, err)
	}
	f, err := Parse(path, data)
	if err != nil {
		if unmap != nil {
			unmap()
		}
		return nil, err
	}
	f.closer = unmap
	return f, nil
}

// Close releases the file's memory mapping, if any. Slices obtained from the
// File must not be used afterwards. Close is idempotent.
func (f *File) Close() error {
	if f.closed {
		return nil
	}
	f.closed = true
	f.data = nil
	if f.closer != nil {
		return f.closer()
	}
	return nil
}

// Name returns the name the file was parsed under (the path, for ReadFile).
func (f *File) Name() string { return f.name }

// Metadata returns a copy of the header's __metadata__ map (empty, not nil,
// when the file has none).
func (f *File) Metadata() map[string]string {
	return maps.Clone(f.metadata)
}

// Names returns the names of all tensors, sorted.
func (f *File) Names() []string {
	names := make([]string, len(f.tensors))
	for i, t := range f.tensors {
		names[i] = t.Name
	}
	return names
}

// Tensors returns the descriptions of all tensors, sorted by name.
func (f *File) Tensors() []TensorInfo {
	out := make([]TensorInfo, len(f.tensors))
	for i, t := range f.tensors {
		t.Shape = slices.Clone(t.Shape)
		out[i] = t
	}
	return out
}

// Tensor returns the description of the named tensor and whether it exists.
func (f *File) Tensor(name string) (TensorInfo, bool) {
	i, ok := f.index[name]
	if !ok {
		return TensorInfo{}, false
	}
	t := f.tensors[i]
	t.Shape = slices.Clone(t.Shape)
	return t, true
}

// Bytes returns the raw little-endian bytes of the named tensor. The slice
// aliases the file's memory (see File).
func (f *File) Bytes(name string) ([]byte, error) {
	t, err := f.lookup(name)
	if err != nil {
		return nil, err
	}
	return f.data[t.Begin:t.End:t.End], nil
}

// Float32 returns the named tensor's elements as float32, in row-major order.
//
// An F32 tensor whose data is 4-byte aligned is returned as a view of the
// file's memory without copying when the host is little-endian — the common
// case for files written by this package, which aligns every tensor. Such a
// view must be treated as read-only (see File). Any other F32 tensor is
// copied, and F64, F16 and BF16 tensors are converted into a new slice (F64
// rounds to nearest). Integer and BOOL tensors are an error.
func (f *File) Float32(name string) ([]float32, error) {
	t, err := f.lookup(name)
	if err != nil {
		return nil, err
	}
	raw := f.data[t.Begin:t.End]
	if t.Dtype == F32 {
		if view, ok := viewFloat32(raw); ok {
			return view, nil
		}
	}
	if !t.Dtype.IsFloat() {
		return nil, fmt.Errorf("safetensors: %s: tensor %q: dtype %v cannot be read as float32", f.name, name, t.Dtype)
	}
	out := make([]float32, len(raw)/t.Dtype.Size())
	decodeFloat32(out, raw, t.Dtype)
	return out, nil
}

// Float32Into decodes the named tensor into dst, which must have exactly as
// many elements as the tensor. Unlike Float32 it never aliases the file, so
// it suits loading weights straight into a model's own (writable) storage.
func (f *File) Float32Into(dst []float32, name string) error {
	t, err := f.lookup(name)
	if err != nil {
		return err
	}
	if !t.Dtype.IsFloat() {
		return fmt.Errorf("safetensors: %s: tensor %q: dtype %v cannot be read as float32", f.name, name, t.Dtype)
	}
	raw := f.data[t.Begin:t.End]
	if n := len(raw) / t.Dtype.Size(); n != len(dst) {
		return fmt.Errorf("safetensors: %s: tensor %q has %d elements, destination has %d", f.name, name, n, len(dst))
	}
	decodeFloat32(dst, raw, t.Dtype)
	return nil
}

// lookup returns the named tensor's description, or an error wrapping
// ErrNotFound or ErrClosed.
func (f *File) lookup(name string) (*TensorInfo, error) {
	if f.closed {
		return nil, fmt.Errorf("safetensors: %s: %w", f.name, ErrClosed)
	}
	i, ok := f.index[name]
	if !ok {
		return nil, fmt.Errorf("safetensors: %s: %w: %q", f.name, ErrNotFound, name)
	}
	return &f.tensors[i], nil
}
