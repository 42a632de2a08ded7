package safetensors

import (
	"encoding/binary"
	"math"
	"unsafe"
)

// hostLittleEndian reports whether the machine stores multi-byte values
// little-endian, i.e. in the byte order safetensors uses, so that raw file
// bytes can be reinterpreted as float32 without conversion.
var hostLittleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// viewFloat32 reinterprets raw F32 bytes as []float32 without copying. It
// fails when the host is big-endian or raw is not 4-byte aligned (possible in
// files from other writers), in which case the caller must decode a copy.
func viewFloat32(raw []byte) ([]float32, bool) {
	if !hostLittleEndian || len(raw)%4 != 0 {
		return nil, false
	}
	if len(raw) == 0 {
		return []float32{}, true
	}
	p := unsafe.Pointer(unsafe.SliceData(raw))
	if uintptr(p)%unsafe.Alignof(float32(0)) != 0 {
		return nil, false
	}
	return unsafe.Slice((*float32)(p), len(raw)/4), true
}

// bytesOfFloat32 reinterprets values as their in-memory bytes without
// copying. Only meaningful on a little-endian host, where those bytes are
// exactly the F32 encoding.
func bytesOfFloat32(values []float32) []byte {
	if len(values) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(values))), len(values)*4)
}

// decodeFloat32 converts the little-endian elements of raw, of the float
// dtype d, into dst. len(dst) must equal len(raw)/d.Size().
func decodeFloat32(dst []float32, raw []byte, d Dtype) {
	switch d {
	case F32:
		for i := range dst {
			dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
	case F64:
		for i := range dst {
			dst[i] = float32(math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:])))
		}
	case F16:
		for i := range dst {
			dst[i] = Float16FromBits(binary.LittleEndian.Uint16(raw[2*i:]))
		}
	case BF16:
		for i := range dst {
			dst[i] = BFloat16FromBits(binary.LittleEndian.Uint16(raw[2*i:]))
		}
	default:
		panic("safetensors: decodeFloat32 called with non-float dtype " + d.String())
	}
}

// encodeFloat32 converts src into the little-endian encoding of the float
// dtype d, writing len(src)*d.Size() bytes to dst.
func encodeFloat32(dst []byte, src []float32, d Dtype) {
	switch d {
	case F32:
		for i, v := range src {
			binary.LittleEndian.PutUint32(dst[4*i:], math.Float32bits(v))
		}
	case F64:
		for i, v := range src {
			binary.LittleEndian.PutUint64(dst[8*i:], math.Float64bits(float64(v)))
		}
	case F16:
		for i, v := range src {
			binary.LittleEndian.PutUint16(dst[2*i:], Float16Bits(v))
		}
	case BF16:
		for i, v := range src {
			binary.LittleEndian.PutUint16(dst[2*i:], BFloat16Bits(v))
		}
	default:
		panic("safetensors: encodeFloat32 called with non-float dtype " + d.String())
	}
}
