package safetensors

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"unicode/utf8"
)

// Tensor is one named tensor to write.
//
// Its contents come from exactly one of two fields:
//
//   - Values, float32 elements that are encoded as Dtype (F32, F16, BF16 or
//     F64) while the file is written. Nothing is copied up front, so saving a
//     model needs no second copy of its weights in memory.
//   - Data, the raw little-endian bytes of the elements, already in Dtype.
//     This is how integer tensors (step counters, labels, masks) or data that
//     is already encoded are stored. Data is used when Values is nil.
//
// A zero Dtype means the writer's float dtype: F32 unless WithFloatDtype says
// otherwise. Elements are in row-major order and their count must match
// Shape; a nil or empty Shape is a scalar (one element).
type Tensor struct {
	Name   string
	Dtype  Dtype
	Shape  []int
	Values []float32
	Data   []byte
}

// Option configures Write and WriteFile.
type Option func(*writeConfig)

type writeConfig struct {
	floatDtype Dtype

	// wrap, when set, wraps the temporary file's writer in WriteFile. Tests
	// use it to inject a write failure part-way through.
	wrap func(io.Writer) io.Writer
}

// WithFloatDtype sets the dtype used for tensors whose Dtype is zero: F32
// (the default), F16, BF16 or F64. Narrowing to F16 or BF16 rounds to
// nearest-even; values beyond the F16 range become ±Inf.
func WithFloatDtype(d Dtype) Option {
	return func(c *writeConfig) { c.floatDtype = d }
}

// Write writes tensors and metadata to w as one safetensors file.
//
// The output is deterministic. Header keys, including "__metadata__", are
// written in sorted (byte-wise) order; the header is padded with spaces so
// the data buffer starts at a multiple of 8 bytes. In the buffer, tensors are
// ordered by decreasing element size and then by name, which keeps every
// tensor aligned to its own element size and so lets readers map F32 and F64
// data in place. The order of tensors in the argument does not matter; the
// metadata map may be nil.
//
// Write checks all tensors before writing anything, so an invalid tensor
// (duplicate or empty name, bad shape, wrong data length, unsupported
// dtype) fails without output.
func Write(w io.Writer, tensors []Tensor, metadata map[string]string, opts ...Option) error {
	p, err := newPlan(tensors, metadata, opts)
	if err != nil {
		return err
	}
	if err := p.writeTo(w); err != nil {
		return fmt.Errorf("safetensors: write: %w", err)
	}
	return nil
}

// plannedTensor is a validated tensor with its storage dtype resolved and its
// place in the data buffer assigned.
type plannedTensor struct {
	*Tensor
	dtype      Dtype
	begin, end int
}

// plan is a validated file ready to be written.
type plan struct {
	cfg    writeConfig
	header []byte          // length prefix, JSON and padding
	order  []plannedTensor // in data buffer order
}

// newPlan validates the tensors and metadata and lays out the file.
func newPlan(tensors []Tensor, metadata map[string]string, opts []Option) (*plan, error) {
	cfg := writeConfig{floatDtype: F32}
	for _, o := range opts {
		o(&cfg)
	}
	if !cfg.floatDtype.IsFloat() {
		return nil, fmt.Errorf("safetensors: write: float dtype %v is not a float dtype", cfg.floatDtype)
	}
	for _, k := range slices.Sorted(maps.Keys(metadata)) { // sorted: report the same key every time
		if v := metadata[k]; !utf8.ValidString(k) || !utf8.ValidString(v) {
			return nil, fmt.Errorf("safetensors: write: metadata %q: key or value is not valid UTF-8", k)
		}
	}

	p := &plan{cfg: cfg, order: make([]plannedTensor, len(tensors))}
	seen := make(map[string]bool, len(tensors))
	for i := range tensors {
		t := &tensors[i]
		d, err := checkTensor(t, cfg.floatDtype)
		if err != nil {
			return nil, fmt.Errorf("safetensors: write: tensor %q: %w", t.Name, err)
		}
		if seen[t.Name] {
			return nil, fmt.Errorf("safetensors: write: tensor %q: duplicate name", t.Name)
		}
		seen[t.Name] = true
		p.order[i] = plannedTensor{Tensor: t, dtype: d}
	}

	// Largest elements first keeps every tensor aligned to its element size,
	// given that the buffer itself starts 8-byte aligned.
	slices.SortFunc(p.order, func(a, b plannedTensor) int {
		if c := cmp.Compare(b.dtype.Size(), a.dtype.Size()); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
	off := 0
	for i := range p.order {
		pt := &p.order[i]
		n, _ := byteSize(pt.dtype, pt.Shape) // checked by checkTensor
		pt.begin, pt.end = off, off+int(n)
		off = pt.end
	}
	p.header = encodeHeader(p.order, metadata)
	return p, nil
}

// checkTensor validates one tensor and returns its storage dtype.
func checkTensor(t *Tensor, floatDtype Dtype) (Dtype, error) {
	switch {
	case t.Name == "":
		return 0, fmt.Errorf("empty name")
	case t.Name == metadataKey:
		return 0, fmt.Errorf("name is reserved for metadata")
	case !utf8.ValidString(t.Name):
		return 0, fmt.Errorf("name is not valid UTF-8")
	}
	d := t.Dtype
	if d == 0 {
		d = floatDtype
	}
	if !d.Valid() {
		return 0, fmt.Errorf("invalid dtype %v", d)
	}
	for _, dim := range t.Shape {
		if dim < 0 {
			return 0, fmt.Errorf("negative dimension in shape %v", t.Shape)
		}
	}
	size, ok := byteSize(d, t.Shape)
	if !ok {
		return 0, fmt.Errorf("shape %v of %v is too large", t.Shape, d)
	}
	if t.Values != nil {
		if t.Data != nil {
			return 0, fmt.Errorf("both Values and Data are set")
		}
		if !d.IsFloat() {
			return 0, fmt.Errorf("float32 Values cannot be stored as %v", d)
		}
		if want := size / uint64(d.Size()); uint64(len(t.Values)) != want {
			return 0, fmt.Errorf("shape %v needs %d values, got %d", shapeString(t.Shape), want, len(t.Values))
		}
		return d, nil
	}
	if uint64(len(t.Data)) != size {
		return 0, fmt.Errorf("shape %v of %v needs %d bytes of Data, got %d", shapeString(t.Shape), d, size, len(t.Data))
	}
	return d, nil
}

// writeTo streams the planned file to w. Errors are returned unprefixed so
// that Write and WriteFile can say what was being written.
func (p *plan) writeTo(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	if _, err := bw.Write(p.header); err != nil {
		return err
	}
	var scratch []byte
	for _, t := range p.order {
		var err error
		switch {
		case t.Values == nil:
			_, err = bw.Write(t.Data)
		case t.dtype == F32 && hostLittleEndian:
			// The in-memory bytes already are the file encoding.
			_, err = bw.Write(bytesOfFloat32(t.Values))
		default:
			scratch, err = writeEncoded(bw, t.Values, t.dtype, scratch)
		}
		if err != nil {
			return fmt.Errorf("tensor %q: %w", t.Name, err)
		}
	}
	return bw.Flush()
}

// writeEncoded encodes values as dtype d in fixed-size chunks, so converting
// a large tensor needs only a small scratch buffer rather than a full copy.
// It returns the scratch buffer for reuse.
func writeEncoded(w io.Writer, values []float32, d Dtype, scratch []byte) ([]byte, error) {
	const chunk = 8192 // elements per chunk
	if scratch == nil {
		scratch = make([]byte, chunk*8)
	}
	for len(values) > 0 {
		n := min(len(values), chunk)
		buf := scratch[:n*d.Size()]
		encodeFloat32(buf, values[:n], d)
		if _, err := w.Write(buf); err != nil {
			return scratch, err
		}
		values = values[n:]
	}
	return scratch, nil
}
