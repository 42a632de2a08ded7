package im2col

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestCol2ImAddAccumulates checks Col2ImAdd against a plain reference:
// every patch value, taken from its window position and added in float64
// onto the old values of dst, and that it panics on a short matrix.
func TestCol2ImAddAccumulates(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, g := range geometries {
		y := randSlice(rng, g.Rows()*g.Cols())
		dst := randSlice(rng, g.InputLen())
		want := make([]float64, len(dst))
		for i, v := range dst {
			want[i] = float64(v)
		}
		r := 0
		for n := 0; n < g.N; n++ {
			for oy := 0; oy < g.OutH(); oy++ {
				for ox := 0; ox < g.OutW(); ox++ {
					for ky := 0; ky < g.KH; ky++ {
						for kx := 0; kx < g.KW; kx++ {
							ih, iw := oy*g.SH-g.PadTop+ky, ox*g.SW-g.PadLeft+kx
							if ih < 0 || ih >= g.H || iw < 0 || iw >= g.W {
								continue
							}
							for c := 0; c < g.C; c++ {
								want[((n*g.H+ih)*g.W+iw)*g.C+c] += float64(y[r*g.Cols()+(ky*g.KW+kx)*g.C+c])
							}
						}
					}
					r++
				}
			}
		}
		Col2ImAdd(dst, y, g)
		for i, w := range want {
			if math.Abs(float64(dst[i])-w) > 1e-5*(1+math.Abs(w)) {
				t.Fatalf("%+v: dst[%d] = %v, want %v", g, i, dst[i], w)
			}
		}
	}
	g := geometries[0]
	defer func() {
		if recover() == nil {
			t.Error("Col2ImAdd of a short matrix: no panic")
		}
	}()
	Col2ImAdd(make([]float32, g.InputLen()), make([]float32, 1), g)
}
