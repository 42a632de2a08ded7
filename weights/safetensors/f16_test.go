package safetensors

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"
)

// The references below work in float64 arithmetic on values, never on bit
// fields, so they share no logic with the bit-twiddling conversions they
// check.

// refHalfValue decodes binary16 bits from the textbook formula.
func refHalfValue(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	e := int(h>>10) & 0x1f
	m := float64(h & 0x3ff)
	switch e {
	case 0:
		return sign * math.Ldexp(m, -24)
	case 0x1f:
		if m == 0 {
			return math.Inf(int(sign))
		}
		return math.NaN()
	default:
		return sign * math.Ldexp(1+m/1024, e-15)
	}
}

// halfLadder holds the values of the non-negative binary16 encodings 0x0000
// to 0x7c00 in order; the last rung (infinity) is given the value 2^16, which
// is where the binary16 exponent range would continue, so that rounding to
// nearest-even against the ladder sends everything ≥ 65520 to infinity
// exactly as IEEE 754 requires.
var halfLadder = func() []float64 {
	l := make([]float64, 0x7c01)
	for i := range 0x7c00 {
		l[i] = refHalfValue(uint16(i))
	}
	l[0x7c00] = 65536
	return l
}()

// refFloat16Bits rounds x to the nearest binary16, ties to even, by searching
// the ladder of representable values.
func refFloat16Bits(x float32) uint16 {
	v := float64(x)
	var sign uint16
	if math.Signbit(v) {
		sign = 0x8000
		v = -v
	}
	if v >= 65536 { // includes +Inf
		return sign | 0x7c00
	}
	// i is the largest encoding whose value is ≤ v.
	i := sort.Search(len(halfLadder), func(i int) bool { return halfLadder[i] > v }) - 1
	if halfLadder[i] == v {
		return sign | uint16(i)
	}
	below, above := v-halfLadder[i], halfLadder[i+1]-v
	switch {
	case below < above:
		return sign | uint16(i)
	case above < below:
		return sign | uint16(i+1)
	case i%2 == 0:
		return sign | uint16(i)
	default:
		return sign | uint16(i+1)
	}
}

// refBFloat16Bits rounds x to the nearest bfloat16, ties to even, by
// comparing distances to the two bfloat16 values around it.
func refBFloat16Bits(x float32) uint16 {
	b := math.Float32bits(x)
	lo := b &^ 0xffff // truncated toward zero
	hi := lo + 0x10000
	value := func(bits uint32) float64 {
		if bits&0x7fffffff == 0x7f800000 { // the step past the largest finite value
			return math.Copysign(math.Ldexp(1, 128), float64(x))
		}
		return float64(math.Float32frombits(bits))
	}
	v := float64(x)
	below, above := math.Abs(v-value(lo)), math.Abs(value(hi)-v)
	switch {
	case below < above:
		return uint16(lo >> 16)
	case above < below:
		return uint16(hi >> 16)
	case (lo>>16)%2 == 0:
		return uint16(lo >> 16)
	default:
		return uint16(hi >> 16)
	}
}

func isHalfNaN(h uint16) bool  { return h&0x7c00 == 0x7c00 && h&0x3ff != 0 }
func isBHalfNaN(b uint16) bool { return b&0x7f80 == 0x7f80 && b&0x7f != 0 }

func TestFloat16ExhaustiveDecodeAndRoundTrip(t *testing.T) {
	for i := range 1 << 16 {
		h := uint16(i)
		f := Float16FromBits(h)
		if isHalfNaN(h) {
			if f == f {
				t.Fatalf("Float16FromBits(%#04x) = %v, want NaN", h, f)
			}
			if back := Float16Bits(f); !isHalfNaN(back) || back&0x8000 != h&0x8000 {
				t.Fatalf("NaN %#04x round-tripped to %#04x", h, back)
			}
			continue
		}
		if want := refHalfValue(h); math.Float64bits(float64(f)) != math.Float64bits(want) {
			t.Fatalf("Float16FromBits(%#04x) = %g, want %g", h, f, want)
		}
		if back := Float16Bits(f); back != h {
			t.Fatalf("Float16Bits(Float16FromBits(%#04x)) = %#04x", h, back)
		}
	}
}

func TestBFloat16ExhaustiveRoundTrip(t *testing.T) {
	for i := range 1 << 16 {
		b := uint16(i)
		f := BFloat16FromBits(b)
		if isBHalfNaN(b) {
			if back := BFloat16Bits(f); !isBHalfNaN(back) {
				t.Fatalf("NaN %#04x round-tripped to %#04x", b, back)
			}
			continue
		}
		if back := BFloat16Bits(f); back != b {
			t.Fatalf("BFloat16Bits(BFloat16FromBits(%#04x)) = %#04x", b, back)
		}
	}
}

// roundingInputs returns float32 values that stress rounding: the edge cases,
// every binary16 value, every midpoint between neighbouring binary16 values
// and the float32 values just either side of it, and random values.
func roundingInputs() []float32 {
	in := []float32{
		0, float32(math.Copysign(0, -1)),
		float32(math.Inf(1)), float32(math.Inf(-1)),
		math.MaxFloat32, -math.MaxFloat32,
		math.Float32frombits(1), math.Float32frombits(0x007fffff), // float32 subnormals
		math.Float32frombits(0x00800000), // smallest float32 normal
		65504, 65519.996, 65520, 65520.004, 65536, 1e6,
		0x1p-24, 0x1p-25, math.Nextafter32(0x1p-25, 1), math.Nextafter32(0x1p-25, 0),
		3 * 0x1p-26, 0x1p-14, math.Nextafter32(0x1p-14, 0), 0x1.ffcp-15, 0x1.ffep-15,
		1, 1 + 0x1p-11, 1 + 3*0x1p-11, math.Nextafter32(1+0x1p-11, 2),
		0x1.fefp127, 0x1.ff7fffp127, // bfloat16 overflow boundary
	}
	for i := range 0x7c00 {
		v := float32(halfLadder[i])
		mid := float32((halfLadder[i] + halfLadder[i+1]) / 2)
		in = append(in, v, mid, math.Nextafter32(mid, 0), math.Nextafter32(mid, float32(math.Inf(1))))
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 100_000 {
		in = append(in, math.Float32frombits(r.Uint32()))
		// Concentrate on exponents where binary16 has something to say.
		in = append(in, float32(math.Ldexp(r.Float64(), r.IntN(50)-30)))
	}
	n := len(in)
	for i := range n {
		in = append(in, -in[i])
	}
	return in
}

func TestFloat16BitsMatchesReference(t *testing.T) {
	for _, x := range roundingInputs() {
		got := Float16Bits(x)
		if x != x {
			if !isHalfNaN(got) {
				t.Fatalf("Float16Bits(NaN %#08x) = %#04x, want a NaN", math.Float32bits(x), got)
			}
			continue
		}
		if want := refFloat16Bits(x); got != want {
			t.Fatalf("Float16Bits(%g [%#08x]) = %#04x, want %#04x", x, math.Float32bits(x), got, want)
		}
	}
}

func TestBFloat16BitsMatchesReference(t *testing.T) {
	for _, x := range roundingInputs() {
		got := BFloat16Bits(x)
		if x != x {
			if !isBHalfNaN(got) {
				t.Fatalf("BFloat16Bits(NaN %#08x) = %#04x, want a NaN", math.Float32bits(x), got)
			}
			continue
		}
		if math.IsInf(float64(x), 0) {
			if want := uint16(math.Float32bits(x) >> 16); got != want {
				t.Fatalf("BFloat16Bits(%v) = %#04x, want %#04x", x, got, want)
			}
			continue
		}
		if want := refBFloat16Bits(x); got != want {
			t.Fatalf("BFloat16Bits(%g [%#08x]) = %#04x, want %#04x", x, math.Float32bits(x), got, want)
		}
	}
}

// A NaN whose payload lives only in the low mantissa bits would become
// infinity under plain truncation; it must stay NaN.
func TestNaNPayloadInLowBitsStaysNaN(t *testing.T) {
	for _, bits := range []uint32{0x7f800001, 0xff800001, 0x7f801000, 0x7fc00000} {
		x := math.Float32frombits(bits)
		if h := Float16Bits(x); !isHalfNaN(h) {
			t.Errorf("Float16Bits(%#08x) = %#04x, not NaN", bits, h)
		}
		if b := BFloat16Bits(x); !isBHalfNaN(b) {
			t.Errorf("BFloat16Bits(%#08x) = %#04x, not NaN", bits, b)
		}
	}
}
