package dwconv

import (
	"math"
	"math/rand/v2"
	"testing"
)

// FuzzConv draws whole geometries (sizes, windows, strides, dilations,
// padding, channels, depth multiplier) and runs every kernel on them
// against the float64 reference: New must refuse what Validate refuses,
// and everything it accepts must compute the definition.
func FuzzConv(f *testing.F) {
	f.Add(uint8(7), uint8(9), uint8(3), uint8(3), uint8(1), uint8(1), uint8(1), uint8(1), uint8(1), uint8(1), uint8(17), uint8(1), uint64(1))
	f.Add(uint8(5), uint8(6), uint8(5), uint8(5), uint8(2), uint8(2), uint8(2), uint8(1), uint8(3), uint8(0), uint8(33), uint8(2), uint64(2))
	f.Add(uint8(1), uint8(1), uint8(3), uint8(3), uint8(1), uint8(1), uint8(1), uint8(1), uint8(1), uint8(1), uint8(1), uint8(1), uint64(3))
	f.Fuzz(func(t *testing.T, h, w, kh, kw, sh, sw, dh, dw, padA, padB, c, m uint8, seed uint64) {
		g := Geometry{
			InH: int(h%12) + 1, InW: int(w%12) + 1, Channels: int(c%40) + 1,
			KH: int(kh%6) + 1, KW: int(kw%6) + 1,
			StrideH: int(sh%3) + 1, StrideW: int(sw%3) + 1,
			DilationH: int(dh%3) + 1, DilationW: int(dw%3) + 1,
			PadTop: int(padA % 4), PadBottom: int(padB % 4), PadLeft: int(padB % 3), PadRight: int(padA % 3),
		}
		mult := int(m%3) + 1
		r := rand.New(rand.NewPCG(seed, 1))
		kernel := randSlice(r, g.KH*g.KW*g.Channels*mult)
		bias := randSlice(r, g.Channels*mult)
		img := randSlice(r, g.InH*g.InW*g.Channels)
		packed, err := Pack(kernel, bias, g.KH, g.KW, g.Channels, mult)
		if err != nil {
			t.Fatal(err)
		}
		inf := float32(math.Inf(1))
		for _, k := range Kernels() {
			conv, err := New(g, packed, -inf, inf, k)
			if (err != nil) != (g.Validate() != nil) {
				t.Fatalf("New: %v, Validate: %v", err, g.Validate())
			}
			if err != nil {
				return
			}
			out := make([]float32, g.OutH()*g.OutW()*g.Channels*mult)
			conv.Image(out, img, make([]float32, conv.ScratchLen()))
			want, scale := reference(g, img, kernel, bias, mult, -inf, inf)
			for i, v := range out {
				if d := math.Abs(float64(v) - want[i]); !(d <= tolerance(g.KH*g.KW, scale[i])) {
					t.Fatalf("%s on %+v ×%d: out[%d] = %v, want %v", k.Name, g, mult, i, v, want[i])
				}
			}
		}
	})
}
