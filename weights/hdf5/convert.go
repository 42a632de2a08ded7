package hdf5

import (
	"encoding/binary"
	"math"
)

// numeric returns a function decoding one stored element of t as float64,
// chosen once per read so the per-element loop has no type switch.
func numeric(t Dtype) func([]byte) float64 {
	o := t.ByteOrder
	switch {
	case t.Kind == Float && t.Size == 2:
		return func(b []byte) float64 { return float64(float16(o.Uint16(b))) }
	case t.Kind == Float && t.Size == 4:
		return func(b []byte) float64 { return float64(math.Float32frombits(o.Uint32(b))) }
	case t.Kind == Float && t.Size == 8:
		return func(b []byte) float64 { return math.Float64frombits(o.Uint64(b)) }
	case t.Kind == Int || t.Kind == Uint:
		get := integer(t)
		if t.Kind == Uint {
			return func(b []byte) float64 { return float64(uint64(get(b))) }
		}
		return func(b []byte) float64 { return float64(get(b)) }
	}
	return nil
}

// integer returns a function decoding one stored integer of t as int64
// (sign-extended for Int, the raw bit pattern for Uint).
func integer(t Dtype) func([]byte) int64 {
	o := t.ByteOrder
	signed := t.Kind == Int
	switch t.Size {
	case 1:
		if signed {
			return func(b []byte) int64 { return int64(int8(b[0])) }
		}
		return func(b []byte) int64 { return int64(b[0]) }
	case 2:
		if signed {
			return func(b []byte) int64 { return int64(int16(o.Uint16(b))) }
		}
		return func(b []byte) int64 { return int64(o.Uint16(b)) }
	case 4:
		if signed {
			return func(b []byte) int64 { return int64(int32(o.Uint32(b))) }
		}
		return func(b []byte) int64 { return int64(o.Uint32(b)) }
	case 8:
		return func(b []byte) int64 { return int64(o.Uint64(b)) }
	}
	return nil
}

func toFloat64s(raw []byte, t Dtype, n int) ([]float64, error) {
	get := numeric(t)
	if get == nil || len(raw)/t.Size < n {
		return nil, typeErrorf("cannot convert %s to float64", t)
	}
	out := make([]float64, n)
	for i := range out {
		out[i] = get(raw[i*t.Size:])
	}
	return out, nil
}

func toFloat32s(raw []byte, t Dtype, n int) ([]float32, error) {
	get := numeric(t)
	if get == nil || len(raw)/t.Size < n {
		return nil, typeErrorf("cannot convert %s to float32", t)
	}
	out := make([]float32, n)
	switch {
	case t.Kind == Float && t.Size == 4 && t.ByteOrder == binary.LittleEndian:
		// Fast path for the common case (Keras weights).
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
	case t.Kind == Uint && t.Size == 1:
		// Fast path for images.
		for i := range out {
			out[i] = float32(raw[i])
		}
	default:
		for i := range out {
			out[i] = float32(get(raw[i*t.Size:]))
		}
	}
	return out, nil
}

func toInt64s(raw []byte, t Dtype, n int) ([]int64, error) {
	get := integer(t)
	if (t.Kind != Int && t.Kind != Uint) || get == nil || len(raw)/t.Size < n {
		return nil, typeErrorf("cannot convert %s to int64", t)
	}
	out := make([]int64, n)
	for i := range out {
		v := get(raw[i*t.Size:])
		if t.Kind == Uint && t.Size == 8 && v < 0 {
			return nil, typeErrorf("uint64 value %d overflows int64", uint64(v))
		}
		out[i] = v
	}
	return out, nil
}

// float16 converts an IEEE binary16 value to float32.
func float16(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	man := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // Inf or NaN
		return math.Float32frombits(sign | 0x7f800000 | man<<13)
	case exp == 0 && man == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal: value = man * 2^-24
		v := float32(man) / (1 << 24)
		if sign != 0 {
			v = -v
		}
		return v
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | man<<13)
}
