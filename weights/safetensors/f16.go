package safetensors

import "math"

// Conversions between float32 and the two 16-bit float formats used for
// storage. Both directions are exact where the target can represent the
// value; narrowing rounds to nearest, ties to even, as IEEE 754 prescribes,
// so that a file written here matches what PyTorch's .half() / .bfloat16()
// would have produced for the same weights.

// Float16Bits returns the IEEE 754 binary16 encoding of f, rounded to nearest
// with ties to even. Magnitudes too large for binary16 (≥ 65520) become
// infinity, magnitudes too small become (signed) zero, values in the binary16
// subnormal range become subnormals, and NaN stays NaN (quiet, keeping the
// sign and the top mantissa bits).
func Float16Bits(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int(b>>23) & 0xff
	mant := b & 0x7fffff

	if exp == 0xff { // infinity or NaN
		if mant == 0 {
			return sign | 0x7c00
		}
		// Keep the payload's top bits and force the quiet bit, which also
		// guarantees a non-zero mantissa so the NaN cannot turn into infinity.
		return sign | 0x7c00 | 0x0200 | uint16(mant>>13)
	}

	// e is the exponent re-biased for binary16 (bias 15 instead of 127).
	e := exp - 127 + 15
	if e >= 0x1f {
		return sign | 0x7c00 // overflow
	}
	if e >= 1 {
		// Normal result: drop 13 mantissa bits with round-to-nearest-even.
		// A carry out of the mantissa correctly bumps the exponent, and from
		// the largest exponent it produces exactly the infinity encoding.
		h := uint16(e)<<10 | uint16(mant>>13)
		rest := mant & 0x1fff
		if rest > 0x1000 || (rest == 0x1000 && h&1 == 1) {
			h++
		}
		return sign | h
	}
	if exp == 0 {
		// float32 subnormals (and zero) are far below half the smallest
		// binary16 subnormal (2^-25), so they round to zero.
		return sign
	}

	// Subnormal result. The value is m·2^(exp-150) with the implicit bit made
	// explicit; in units of the smallest binary16 subnormal (2^-24) that is
	// m >> shift, which we round to nearest even.
	m := mant | 0x800000
	shift := uint(14 - e)
	if shift > 24 {
		return sign // below 2^-25: rounds to zero
	}
	q := m >> shift
	rest := m & (1<<shift - 1)
	half := uint32(1) << (shift - 1)
	if rest > half || (rest == half && q&1 == 1) {
		q++ // may carry into the smallest normal, which is the right answer
	}
	return sign | uint16(q)
}

// Float16FromBits returns the float32 value of the binary16 encoding h. Every
// binary16 value, including subnormals, is exactly representable as float32.
func Float16FromBits(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h & 0x3ff)

	switch exp {
	case 0:
		if mant == 0 {
			return math.Float32frombits(sign) // ±0
		}
		// Subnormal: shift the mantissa up until its leading one becomes the
		// implicit bit, lowering the exponent once per shift.
		e := uint32(127 - 15 + 1)
		for mant&0x400 == 0 {
			mant <<= 1
			e--
		}
		return math.Float32frombits(sign | e<<23 | (mant&0x3ff)<<13)
	case 0x1f:
		return math.Float32frombits(sign | 0x7f800000 | mant<<13) // inf or NaN
	default:
		return math.Float32frombits(sign | (exp+127-15)<<23 | mant<<13)
	}
}

// BFloat16Bits returns the bfloat16 encoding of f (the top 16 bits of its
// binary32 encoding), rounded to nearest with ties to even. Values that round
// past the largest finite bfloat16 become infinity; NaN stays a quiet NaN.
func BFloat16Bits(f float32) uint16 {
	b := math.Float32bits(f)
	if b&0x7fffffff > 0x7f800000 {
		// NaN: plain truncation could clear every mantissa bit that survives
		// and turn the NaN into infinity, so set the quiet bit.
		return uint16(b>>16) | 0x0040
	}
	// Adding 0x7fff rounds up anything above the halfway point; adding the
	// kept LSB as well makes an exact tie round up only when that LSB is odd.
	b += 0x7fff + (b>>16)&1
	return uint16(b >> 16)
}

// BFloat16FromBits returns the float32 value of the bfloat16 encoding b,
// which is always exact.
func BFloat16FromBits(b uint16) float32 {
	return math.Float32frombits(uint32(b) << 16)
}
