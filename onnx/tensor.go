package onnx

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/simdnet/simdnet/onnx/internal/onnxpb"
)

// tensor is a constant: an initializer, a Constant node's value or the
// result of folding. Float data lives in f, integer and boolean data in i.
// Shape arithmetic keeps the batch size symbolic: the value symBatch stands
// for it, and symUnknown for anything computed from it that is not it.
type tensor struct {
	dims  []int
	isInt bool
	f     []float32
	i     []int64
}

const (
	symBatch   = math.MinInt64
	symUnknown = math.MinInt64 + 1
)

func isSym(v int64) bool { return v == symBatch || v == symUnknown }

func (t *tensor) len() int {
	if t.isInt {
		return len(t.i)
	}
	return len(t.f)
}

// ints returns the tensor's values as integers (floats truncated), for
// shape-like inputs.
func (t *tensor) ints() []int64 {
	if t.isInt {
		return t.i
	}
	out := make([]int64, len(t.f))
	for k, v := range t.f {
		out[k] = int64(v)
	}
	return out
}

// floats returns the values as float32; symbolic values are an error.
func (t *tensor) floats() ([]float32, error) {
	if !t.isInt {
		return t.f, nil
	}
	out := make([]float32, len(t.i))
	for k, v := range t.i {
		if isSym(v) {
			return nil, fmt.Errorf("the batch size is not known at load time")
		}
		out[k] = float32(v)
	}
	return out, nil
}

// elements returns the product of dims, or an error when a dimension is
// negative or the product exceeds limit.
func elements(dims []int64, limit int) (int, error) {
	n := 1
	for _, d := range dims {
		if d < 0 {
			return 0, fmt.Errorf("negative dimension %d in %v", d, dims)
		}
		if d > 0 && n > limit/int(min(d, int64(limit)+1)) {
			return 0, fmt.Errorf("shape %v holds more than %d elements", dims, limit)
		}
		n *= int(d)
	}
	if n > limit {
		return 0, fmt.Errorf("shape %v holds more than %d elements", dims, limit)
	}
	return n, nil
}

// ONNX element types simdnet reads.
const (
	dtFloat   = int32(onnxpb.TensorProto_FLOAT)
	dtUint8   = int32(onnxpb.TensorProto_UINT8)
	dtInt8    = int32(onnxpb.TensorProto_INT8)
	dtInt32   = int32(onnxpb.TensorProto_INT32)
	dtInt64   = int32(onnxpb.TensorProto_INT64)
	dtBool    = int32(onnxpb.TensorProto_BOOL)
	dtFloat16 = int32(onnxpb.TensorProto_FLOAT16)
	dtDouble  = int32(onnxpb.TensorProto_DOUBLE)
)

// elemSize is the width in bytes of one raw element, or 0 for a type
// simdnet does not read.
func elemSize(dt int32) int {
	switch dt {
	case dtUint8, dtInt8, dtBool:
		return 1
	case dtFloat16:
		return 2
	case dtFloat, dtInt32:
		return 4
	case dtInt64, dtDouble:
		return 8
	}
	return 0
}

func isIntType(dt int32) bool {
	switch dt {
	case dtUint8, dtInt8, dtInt32, dtInt64, dtBool:
		return true
	}
	return false
}

func typeName(dt int32) string {
	if s, ok := onnxpb.TensorProto_DataType_name[dt]; ok {
		return s
	}
	return fmt.Sprintf("type %d", dt)
}

// decodeTensor turns a TensorProto into a tensor. external reads the bytes
// of a tensor kept outside the file; it bounds them by the real size of the
// file they are in. Every allocation is bounded by the bytes the file
// really holds for the tensor.
func decodeTensor(tp *onnxpb.TensorProto, external func(*onnxpb.TensorProto, int) ([]byte, error)) (*tensor, error) {
	dt := tp.GetDataType()
	size := elemSize(dt)
	if size == 0 {
		return nil, fmt.Errorf("element type %s is not supported", typeName(dt))
	}
	n, err := elements(tp.GetDims(), math.MaxInt32)
	if err != nil {
		return nil, err
	}
	t := &tensor{dims: make([]int, len(tp.GetDims())), isInt: isIntType(dt)}
	for k, d := range tp.GetDims() {
		t.dims[k] = int(d)
	}
	raw := tp.GetRawData()
	if tp.GetDataLocation() == onnxpb.TensorProto_EXTERNAL {
		if raw, err = external(tp, n*size); err != nil {
			return nil, err
		}
	} else if raw == nil {
		return t, t.fromFields(tp, n)
	}
	if len(raw) != n*size {
		return nil, fmt.Errorf("%d bytes of data for shape %v of %s, want %d", len(raw), t.dims, typeName(dt), n*size)
	}
	t.fromRaw(dt, raw, n)
	return t, nil
}

// fromRaw decodes n little-endian elements of type dt.
func (t *tensor) fromRaw(dt int32, raw []byte, n int) {
	le := binary.LittleEndian
	t.alloc(n)
	for k := range n {
		switch dt {
		case dtFloat:
			t.f[k] = math.Float32frombits(le.Uint32(raw[4*k:]))
		case dtDouble:
			t.f[k] = float32(math.Float64frombits(le.Uint64(raw[8*k:])))
		case dtFloat16:
			t.f[k] = halfToFloat(le.Uint16(raw[2*k:]))
		case dtInt64:
			t.i[k] = int64(le.Uint64(raw[8*k:]))
		case dtInt32:
			t.i[k] = int64(int32(le.Uint32(raw[4*k:])))
		case dtInt8:
			t.i[k] = int64(int8(raw[k]))
		case dtUint8, dtBool:
			t.i[k] = int64(raw[k])
		}
	}
}

// fromFields decodes the typed repeated fields, which must hold exactly n
// values (ONNX keeps float16, int8, uint8 and bool in int32_data).
func (t *tensor) fromFields(tp *onnxpb.TensorProto, n int) error {
	dt := tp.GetDataType()
	var have int
	switch dt {
	case dtFloat:
		have = len(tp.GetFloatData())
	case dtDouble:
		have = len(tp.GetDoubleData())
	case dtInt64:
		have = len(tp.GetInt64Data())
	default:
		have = len(tp.GetInt32Data())
	}
	if have != n {
		return fmt.Errorf("%d values for shape %v of %s, want %d", have, t.dims, typeName(dt), n)
	}
	t.alloc(n)
	for k := range n {
		switch dt {
		case dtFloat:
			t.f[k] = tp.GetFloatData()[k]
		case dtDouble:
			t.f[k] = float32(tp.GetDoubleData()[k])
		case dtFloat16:
			t.f[k] = halfToFloat(uint16(tp.GetInt32Data()[k]))
		case dtInt64:
			t.i[k] = tp.GetInt64Data()[k]
		case dtUint8, dtBool:
			t.i[k] = int64(uint8(tp.GetInt32Data()[k]))
		case dtInt8:
			t.i[k] = int64(int8(tp.GetInt32Data()[k]))
		default:
			t.i[k] = int64(tp.GetInt32Data()[k])
		}
	}
	return nil
}

// alloc makes room for n values of the tensor's kind.
func (t *tensor) alloc(n int) {
	if t.isInt {
		t.i = make([]int64, n)
	} else {
		t.f = make([]float32, n)
	}
}

// halfToFloat converts an IEEE 754 binary16 value.
func halfToFloat(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // inf, NaN
		return math.Float32frombits(sign | 0x7f800000 | frac<<13)
	case exp == 0 && frac == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal: frac × 2^-24
		v := float32(frac) / (1 << 24)
		if sign != 0 {
			v = -v
		}
		return v
	}
	return math.Float32frombits(sign | (exp+112)<<23 | frac<<13)
}
