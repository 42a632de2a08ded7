package safetensors

import "fmt"

// Dtype is the element type of a stored tensor, spelled in files the way the
// safetensors specification spells it ("F32", "BF16", ...).
//
// The zero value is not a valid dtype; in a Tensor given to Write it means
// "use the writer's default float dtype" (see WithFloatDtype).
type Dtype uint8

// The dtypes this package understands. Files using any other dtype (for
// example the 8-bit float formats) are rejected with an error naming the
// tensor, rather than being silently misread.
const (
	F64  Dtype = iota + 1 // IEEE 754 binary64
	F32                   // IEEE 754 binary32
	F16                   // IEEE 754 binary16 (half precision)
	BF16                  // bfloat16: the top 16 bits of a binary32
	I64                   // signed 64-bit integer
	I32                   // signed 32-bit integer
	I16                   // signed 16-bit integer
	I8                    // signed 8-bit integer
	U8                    // unsigned 8-bit integer
	BOOL                  // one byte per element, 0 or 1
)

// dtypeInfo holds the spelling and element size of each known dtype, indexed
// by Dtype so lookups need no map.
var dtypeInfo = [...]struct {
	name string
	size int
}{
	F64:  {"F64", 8},
	F32:  {"F32", 4},
	F16:  {"F16", 2},
	BF16: {"BF16", 2},
	I64:  {"I64", 8},
	I32:  {"I32", 4},
	I16:  {"I16", 2},
	I8:   {"I8", 1},
	U8:   {"U8", 1},
	BOOL: {"BOOL", 1},
}

// Valid reports whether d is one of the dtypes defined by this package.
func (d Dtype) Valid() bool {
	return d > 0 && int(d) < len(dtypeInfo)
}

// String returns the dtype as it is spelled in a safetensors header, or
// "Dtype(n)" for an invalid value.
func (d Dtype) String() string {
	if !d.Valid() {
		return fmt.Sprintf("Dtype(%d)", uint8(d))
	}
	return dtypeInfo[d].name
}

// Size returns the number of bytes one element occupies, or 0 for an invalid
// dtype.
func (d Dtype) Size() int {
	if !d.Valid() {
		return 0
	}
	return dtypeInfo[d].size
}

// IsFloat reports whether d is a floating-point dtype, i.e. one that
// File.Float32 can decode and Write can encode from float32 values.
func (d Dtype) IsFloat() bool {
	return d == F64 || d == F32 || d == F16 || d == BF16
}

// ParseDtype returns the Dtype spelled s in a safetensors header. The match is
// exact (case-sensitive), as in the specification.
func ParseDtype(s string) (Dtype, error) {
	for d := F64; d.Valid(); d++ {
		if dtypeInfo[d].name == s {
			return d, nil
		}
	}
	return 0, fmt.Errorf("safetensors: unsupported dtype %q", s)
}
