package im2col

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/simdnet/simdnet/gemm"
)

var _ gemm.APacker = (*Packer)(nil)

// geometries covers odd sizes, both strides, symmetric and asymmetric
// padding, pointwise windows and windows as large as the padded input.
var geometries = []Geometry{
	{N: 1, H: 5, W: 7, C: 3, KH: 3, KW: 3, SH: 1, SW: 1, PadTop: 1, PadBottom: 1, PadLeft: 1, PadRight: 1},
	{N: 2, H: 6, W: 5, C: 4, KH: 3, KW: 2, SH: 2, SW: 2, PadTop: 0, PadBottom: 1, PadLeft: 1, PadRight: 0},
	{N: 3, H: 9, W: 9, C: 5, KH: 7, KW: 7, SH: 2, SW: 2, PadTop: 3, PadBottom: 3, PadLeft: 3, PadRight: 3},
	{N: 2, H: 7, W: 6, C: 6, KH: 1, KW: 1, SH: 2, SW: 2},
	{N: 2, H: 4, W: 5, C: 9, KH: 1, KW: 1, SH: 1, SW: 1},
	{N: 1, H: 3, W: 4, C: 2, KH: 5, KW: 6, SH: 1, SW: 3, PadTop: 1, PadBottom: 1, PadLeft: 2, PadRight: 0},
	{N: 2, H: 8, W: 3, C: 1, KH: 2, KW: 3, SH: 3, SW: 1, PadTop: 2, PadBottom: 0, PadLeft: 0, PadRight: 0},
	// Padding wider than the window: some windows lie wholly outside.
	{N: 1, H: 3, W: 3, C: 2, KH: 2, KW: 2, SH: 1, SW: 1, PadTop: 2, PadBottom: 2, PadLeft: 3, PadRight: 2},
	// A tall window: a whole patch spans more kernel rows than PackRows's
	// fast path takes.
	{N: 2, H: 20, W: 4, C: 1, KH: 18, KW: 2, SH: 1, SW: 1, PadTop: 1, PadBottom: 0, PadLeft: 1, PadRight: 0},
}

func randSlice(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = rng.Float32()*2 - 1
	}
	return s
}

// patchValue is the definition of the patch matrix, one element at a time.
func patchValue(src []float32, g Geometry, r, p int) float32 {
	oh, ow := g.OutH(), g.OutW()
	n, y, x := r/(oh*ow), r/ow%oh, r%ow
	tap, c := p/g.C, p%g.C
	ih := y*g.SH - g.PadTop + tap/g.KW
	iw := x*g.SW - g.PadLeft + tap%g.KW
	if ih < 0 || ih >= g.H || iw < 0 || iw >= g.W {
		return 0
	}
	return src[((n*g.H+ih)*g.W+iw)*g.C+c]
}

func TestIm2ColMatchesDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, g := range geometries {
		src := randSlice(rng, g.InputLen())
		dst := randSlice(rng, g.Rows()*g.Cols()) // garbage that must be overwritten
		Im2Col(dst, src, g)
		for r := 0; r < g.Rows(); r++ {
			for p := 0; p < g.Cols(); p++ {
				if got, want := dst[r*g.Cols()+p], patchValue(src, g, r, p); got != want {
					t.Fatalf("%+v: patch[%d][%d] = %v, want %v", g, r, p, got, want)
				}
			}
		}
	}
}

// packFull packs rows [i0, i0+mc), columns [p0, p0+kc) of a full row-major
// matrix the way gemm.APacker specifies.
func packFull(dst, a []float32, lda, i0, mc, p0, kc, mr int) {
	for s := 0; s*mr < mc; s++ {
		for p := 0; p < kc; p++ {
			for i := 0; i < mr; i++ {
				v := float32(0)
				if s*mr+i < mc {
					v = a[(i0+s*mr+i)*lda+p0+p]
				}
				dst[s*kc*mr+p*mr+i] = v
			}
		}
	}
}

func TestPackerMatchesPackedMatrix(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, g := range geometries {
		src := randSlice(rng, g.InputLen())
		full := make([]float32, g.Rows()*g.Cols())
		Im2Col(full, src, g)
		pk := NewPacker(src, g)
		m, k := g.Rows(), g.Cols()
		for _, mr := range []int{4, 6, 12, 14, 16} {
			// Block sizes that do not divide the matrix, and one that covers it.
			for _, blk := range [][2]int{{mr, 1}, {2 * mr, 5}, {3 * mr, 7}, {m + mr, k}} {
				mcb, kcb := blk[0], blk[1]
				for i0 := 0; i0 < m; i0 += mcb {
					mc := min(mcb, m-i0)
					for p0 := 0; p0 < k; p0 += kcb {
						kc := min(kcb, k-p0)
						n := (mc + mr - 1) / mr * mr * kc
						want := make([]float32, n)
						got := randSlice(rng, n)
						packFull(want, full, k, i0, mc, p0, kc, mr)
						pk.PackA(got, i0, mc, p0, kc, mr)
						for j := range want {
							if got[j] != want[j] {
								t.Fatalf("%+v mr=%d rows [%d,+%d) cols [%d,+%d): dst[%d] = %v, want %v",
									g, mr, i0, mc, p0, kc, j, got[j], want[j])
							}
						}
					}
				}
			}
		}
	}
}

// TestPackerRowsMatchMatrix checks PackRows against the full patch matrix:
// every block, a row stride with a guard band past kc that must stay as it
// was.
func TestPackerRowsMatchMatrix(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 4))
	for _, g := range geometries {
		src := randSlice(rng, g.InputLen())
		full := make([]float32, g.Rows()*g.Cols())
		Im2Col(full, src, g)
		pk := NewPacker(src, g)
		m, k := g.Rows(), g.Cols()
		for _, blk := range [][2]int{{1, 1}, {5, 5}, {12, 7}, {m + 3, k}} {
			mcb, kcb := blk[0], blk[1]
			for i0 := 0; i0 < m; i0 += mcb {
				mc := min(mcb, m-i0)
				for p0 := 0; p0 < k; p0 += kcb {
					kc := min(kcb, k-p0)
					ld := kc + 3
					got := randSlice(rng, mc*ld)
					orig := append([]float32(nil), got...)
					pk.PackRows(got, ld, i0, mc, p0, kc)
					for i := 0; i < mc; i++ {
						for p := 0; p < ld; p++ {
							want := orig[i*ld+p]
							if p < kc {
								want = full[(i0+i)*k+p0+p]
							}
							if got[i*ld+p] != want {
								t.Fatalf("%+v rows [%d,+%d) cols [%d,+%d): dst[%d][%d] = %v, want %v",
									g, i0, mc, p0, kc, i, p, got[i*ld+p], want)
							}
						}
					}
				}
			}
		}
	}
}

// TestPackerDrivesGemm checks the packer through gemm itself: a convolution
// as gemm.Run with APack equals Im2Col followed by Sgemm.
func TestPackerDrivesGemm(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, g := range geometries {
		m, k, n := g.Rows(), g.Cols(), 5
		src := randSlice(rng, g.InputLen())
		w := randSlice(rng, k*n)
		full := make([]float32, m*k)
		Im2Col(full, src, g)
		want := make([]float32, m*n)
		gemm.Sgemm(false, false, m, n, k, 1, full, k, w, n, 0, want, n)
		got := make([]float32, m*n)
		gemm.Run(&gemm.Params{M: m, N: n, K: k, Alpha: 1, APack: NewPacker(src, g), B: w, LDB: n, C: got, LDC: n})
		for i := range want {
			if d := math.Abs(float64(got[i] - want[i])); d > 1e-5 {
				t.Fatalf("%+v: c[%d] = %v, want %v", g, i, got[i], want[i])
			}
		}
	}
}

// TestCol2ImIsAdjoint checks <Im2Col(x), y> == <x, Col2Im(y)>, which holds
// exactly in real arithmetic and to rounding in float64.
func TestCol2ImIsAdjoint(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, g := range geometries {
		x := randSlice(rng, g.InputLen())
		y := randSlice(rng, g.Rows()*g.Cols())
		cols := make([]float32, len(y))
		Im2Col(cols, x, g)
		img := randSlice(rng, len(x)) // Col2Im must overwrite, not add to, old values
		Col2Im(img, y, g)
		var lhs, rhs, scale float64
		for i := range cols {
			lhs += float64(cols[i]) * float64(y[i])
			scale += math.Abs(float64(cols[i]) * float64(y[i]))
		}
		for i := range x {
			rhs += float64(x[i]) * float64(img[i])
		}
		if math.Abs(lhs-rhs) > 1e-6*(1+scale) {
			t.Errorf("%+v: <Im2Col(x), y> = %v, <x, Col2Im(y)> = %v", g, lhs, rhs)
		}
	}
}

func TestGeometry(t *testing.T) {
	g := Geometry{N: 2, H: 70, W: 70, C: 3, KH: 7, KW: 7, SH: 2, SW: 2}
	if g.OutH() != 32 || g.OutW() != 32 || g.Rows() != 2*32*32 || g.Cols() != 147 {
		t.Errorf("conv1 geometry: out %d×%d, matrix %d×%d", g.OutH(), g.OutW(), g.Rows(), g.Cols())
	}
	bad := []Geometry{
		{N: 0, H: 1, W: 1, C: 1, KH: 1, KW: 1, SH: 1, SW: 1},
		{N: 1, H: 1, W: 1, C: 1, KH: 0, KW: 1, SH: 1, SW: 1},
		{N: 1, H: 1, W: 1, C: 1, KH: 1, KW: 1, SH: 0, SW: 1},
		{N: 1, H: 1, W: 1, C: 1, KH: 1, KW: 1, SH: 1, SW: 1, PadLeft: -1},
		{N: 1, H: 2, W: 2, C: 1, KH: 3, KW: 1, SH: 1, SW: 1},
	}
	for _, g := range bad {
		if g.Validate() == nil {
			t.Errorf("%+v: Validate accepted it", g)
		}
	}
}

func TestShortSlicesPanic(t *testing.T) {
	g := geometries[0]
	for name, f := range map[string]func(){
		"Im2Col src": func() { Im2Col(make([]float32, g.Rows()*g.Cols()), make([]float32, g.InputLen()-1), g) },
		"Im2Col dst": func() { Im2Col(make([]float32, g.Rows()*g.Cols()-1), make([]float32, g.InputLen()), g) },
		"Col2Im":     func() { Col2Im(make([]float32, g.InputLen()), make([]float32, 1), g) },
		"NewPacker":  func() { NewPacker(nil, g) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			f()
		})
	}
}

func BenchmarkPackA(b *testing.B) {
	for _, g := range []Geometry{
		{N: 8, H: 15, W: 15, C: 64, KH: 3, KW: 3, SH: 1, SW: 1, PadTop: 1, PadBottom: 1, PadLeft: 1, PadRight: 1},
		{N: 8, H: 70, W: 70, C: 3, KH: 7, KW: 7, SH: 2, SW: 2},
		{N: 8, H: 15, W: 15, C: 256, KH: 1, KW: 1, SH: 2, SW: 2},
	} {
		b.Run(fmt.Sprintf("%dx%dx%d_k%d_s%d", g.H, g.W, g.C, g.KH, g.SH), func(b *testing.B) {
			src := make([]float32, g.InputLen())
			pk := NewPacker(src, g)
			const mr, mc, kc = 6, 72, 256
			kcb := min(kc, g.Cols())
			dst := make([]float32, mc*kcb)
			b.SetBytes(int64(4 * g.Rows() * g.Cols()))
			for b.Loop() {
				for i0 := 0; i0 < g.Rows(); i0 += mc {
					for p0 := 0; p0 < g.Cols(); p0 += kcb {
						pk.PackA(dst, i0, min(mc, g.Rows()-i0), p0, min(kcb, g.Cols()-p0), mr)
					}
				}
			}
		})
	}
}

// BenchmarkPackRows packs the same patch matrices as BenchmarkPackA in the
// row-major blocks gemm's row-block path asks for.
func BenchmarkPackRows(b *testing.B) {
	for _, g := range []Geometry{
		{N: 8, H: 15, W: 15, C: 64, KH: 3, KW: 3, SH: 1, SW: 1, PadTop: 1, PadBottom: 1, PadLeft: 1, PadRight: 1},
		{N: 8, H: 70, W: 70, C: 3, KH: 7, KW: 7, SH: 2, SW: 2},
		{N: 8, H: 15, W: 15, C: 256, KH: 1, KW: 1, SH: 2, SW: 2},
	} {
		b.Run(fmt.Sprintf("%dx%dx%d_k%d_s%d", g.H, g.W, g.C, g.KH, g.SH), func(b *testing.B) {
			src := make([]float32, g.InputLen())
			pk := NewPacker(src, g)
			const mc, kc = 252, 384
			kcb := min(kc, g.Cols())
			ld := kcb + 16
			dst := make([]float32, mc*ld)
			b.SetBytes(int64(4 * g.Rows() * g.Cols()))
			for b.Loop() {
				for i0 := 0; i0 < g.Rows(); i0 += mc {
					for p0 := 0; p0 < g.Cols(); p0 += kcb {
						pk.PackRows(dst, ld, i0, min(mc, g.Rows()-i0), p0, min(kcb, g.Cols()-p0))
					}
				}
			}
		})
	}
}
