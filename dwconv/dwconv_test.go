package dwconv

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// The channel counts every test crosses: 1, below, at and above one and
// two tiles of 16 and of an AVX2 half (8), and MobileNet's widths.
var channelCounts = []int{1, 7, 8, 15, 16, 17, 31, 33, 96, 144}

type clip struct {
	name   string
	lo, hi float32
}

var clips = []clip{
	{"linear", float32(math.Inf(-1)), float32(math.Inf(1))},
	{"relu", 0, float32(math.Inf(1))},
	{"relu6", 0, 6},
}

type convCase struct {
	h, w, kh, kw, sh, sw, dh, dw, m int
	same                            bool
}

func (cc convCase) String() string {
	pad := "valid"
	if cc.same {
		pad = "same"
	}
	return fmt.Sprintf("in%dx%d/k%dx%d/s%dx%d/d%dx%d/m%d/%s", cc.h, cc.w, cc.kh, cc.kw, cc.sh, cc.sw, cc.dh, cc.dw, cc.m, pad)
}

func (cc convCase) geometry(c int) Geometry {
	g := Geometry{InH: cc.h, InW: cc.w, Channels: c, KH: cc.kh, KW: cc.kw,
		StrideH: cc.sh, StrideW: cc.sw, DilationH: cc.dh, DilationW: cc.dw}
	if cc.same {
		g.PadTop, g.PadBottom = samePad(cc.h, cc.kh, cc.sh, cc.dh)
		g.PadLeft, g.PadRight = samePad(cc.w, cc.kw, cc.sw, cc.dw)
	}
	return g
}

// convCases cover 3×3 (the unrolled kernels) and other windows (the
// looped ones), strides 1 and 2, dilation 2, same and valid padding, odd
// sizes, a window as wide as the padded input, and depth multiplier 2.
var convCases = []convCase{
	{h: 7, w: 9, kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, m: 1, same: true},
	{h: 7, w: 9, kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, m: 1},
	{h: 9, w: 11, kh: 3, kw: 3, sh: 2, sw: 2, dh: 1, dw: 1, m: 1, same: true},
	{h: 8, w: 10, kh: 3, kw: 3, sh: 2, sw: 2, dh: 1, dw: 1, m: 1, same: true},
	{h: 9, w: 11, kh: 3, kw: 3, sh: 2, sw: 2, dh: 1, dw: 1, m: 1},
	{h: 9, w: 10, kh: 3, kw: 3, sh: 1, sw: 1, dh: 2, dw: 2, m: 1, same: true},
	{h: 9, w: 10, kh: 3, kw: 3, sh: 2, sw: 1, dh: 2, dw: 1, m: 1},
	{h: 3, w: 3, kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, m: 1},
	{h: 1, w: 1, kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, m: 1, same: true},
	{h: 2, w: 5, kh: 3, kw: 3, sh: 2, sw: 2, dh: 1, dw: 1, m: 1, same: true},
	{h: 7, w: 9, kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, m: 2, same: true},
	{h: 11, w: 13, kh: 5, kw: 5, sh: 1, sw: 1, dh: 1, dw: 1, m: 1, same: true},
	{h: 11, w: 13, kh: 5, kw: 5, sh: 2, sw: 2, dh: 1, dw: 1, m: 1, same: true},
	{h: 11, w: 12, kh: 5, kw: 5, sh: 1, sw: 1, dh: 2, dw: 2, m: 1},
	{h: 9, w: 9, kh: 7, kw: 7, sh: 2, sw: 2, dh: 1, dw: 1, m: 1, same: true},
	{h: 6, w: 7, kh: 1, kw: 1, sh: 1, sw: 1, dh: 1, dw: 1, m: 1},
	{h: 6, w: 7, kh: 1, kw: 1, sh: 2, sw: 2, dh: 1, dw: 1, m: 3, same: true},
	{h: 6, w: 7, kh: 2, kw: 2, sh: 2, sw: 2, dh: 1, dw: 1, m: 1, same: true},
	{h: 8, w: 9, kh: 3, kw: 1, sh: 1, sw: 2, dh: 1, dw: 1, m: 1, same: true},
	{h: 8, w: 9, kh: 1, kw: 5, sh: 1, sw: 1, dh: 1, dw: 3, m: 2, same: true},
	{h: 5, w: 6, kh: 5, kw: 5, sh: 1, sw: 1, dh: 1, dw: 1, m: 2, same: true},
}

// TestConvAgainstReference runs every kernel this CPU has through Conv on
// every case, channel count and clip, against the float64 definition, with
// the image and the output in guard bands and the output rows written with
// a stride wider than the channels, whose gaps must stay untouched.
func TestConvAgainstReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, k := range Kernels() {
		for _, cc := range convCases {
			for _, c := range channelCounts {
				for ci, cl := range clips {
					if testing.Short() && ci > 0 && c > 17 {
						continue
					}
					name := fmt.Sprintf("%s/%v/c%d/%s", k.ISA, cc, c, cl.name)
					checkConv(t, name, r, k, cc.geometry(c), cc.m, cl)
				}
			}
		}
	}
}

func checkConv(t *testing.T, name string, r *rand.Rand, k Kernel, g Geometry, m int, cl clip) {
	t.Helper()
	c := g.Channels
	kernel := randSlice(r, g.KH*g.KW*c*m)
	bias := randSlice(r, c*m)
	if cl.name == "relu6" {
		for i := range kernel {
			kernel[i] *= 4 // so that some outputs pass 6
		}
	}
	inAll, img := banded(g.InH * g.InW * c)
	copy(img, randSlice(r, len(img)))
	w, err := Pack(kernel, bias, g.KH, g.KW, c, m)
	if err != nil {
		t.Fatalf("%s: Pack: %v", name, err)
	}
	conv, err := New(g, w, cl.lo, cl.hi, k)
	if err != nil {
		t.Fatalf("%s: New: %v", name, err)
	}
	oh, ow, oc := g.OutH(), g.OutW(), c*m
	stride := oc + 3 // gaps between output pixels
	outLen := (oh*ow-1)*stride + oc
	outAll, out := banded(outLen)
	var scratch []float32
	if n := conv.ScratchLen(); n > 0 {
		scratch = make([]float32, n)
	}
	for oy := 0; oy < oh; oy++ {
		conv.Row(out[oy*ow*stride:], stride, img, oy, scratch)
	}
	checkBands(t, name+" image", inAll, len(img))
	checkBands(t, name+" output", outAll, outLen)

	want, scale := reference(g, img, kernel, bias, m, cl.lo, cl.hi)
	for p := 0; p < oh*ow; p++ {
		for j := 0; j < oc; j++ {
			got, exp := float64(out[p*stride+j]), want[p*oc+j]
			if d := math.Abs(got - exp); !(d <= tolerance(g.KH*g.KW, scale[p*oc+j])) {
				t.Fatalf("%s: pixel %d (row %d, col %d) channel %d = %v, want %v (tolerance %.3g)",
					name, p, p/ow, p%ow, j, got, exp, tolerance(g.KH*g.KW, scale[p*oc+j]))
			}
		}
		if p < oh*ow-1 {
			for j := oc; j < stride; j++ {
				if !isSentinel(out[p*stride+j]) {
					t.Fatalf("%s: gap after pixel %d written at %d", name, p, j)
				}
			}
		}
	}
}

// TestKernelsAgainstTwin calls every kernel's row routine directly on the
// same random inputs as the portable twin: every tap count 1..27 (9 is the
// unrolled path), widths 1..5, channel counts around the tiles, tap
// pointers at unrelated places with a stride between pixels, outputs in
// guard bands. The two must agree to rounding (FMA against a separate
// multiply and add).
func TestKernelsAgainstTwin(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	chans := append([]int{2, 3, 24, 47, 48, 49, 63, 64, 65}, channelCounts...)
	for _, k := range Kernels() {
		if k.ISA == "generic" {
			continue
		}
		for taps := 1; taps <= 27; taps++ {
			for _, c := range chans {
				width := 1 + (taps+c)%5
				step := c + taps%3 // pixels step apart, sometimes with gaps
				span := (width-1)*step + c
				srcs := make([][]float32, taps)
				bufs := make([][]float32, taps)
				in := make([]*float32, taps)
				for i := range in {
					bufs[i], srcs[i] = banded(span)
					copy(srcs[i], randSlice(r, span))
					in[i] = &srcs[i][0]
				}
				tiles := (c + TileChannels - 1) / TileChannels
				w := randSlice(r, tiles*(taps+1)*TileChannels)
				cl := clips[(taps+c)%len(clips)]
				outStride := c + (c % 4)
				n := (width-1)*outStride + c
				gotAll, got := banded(n)
				_, want := banded(n)
				k.run(got, outStride, in, step, width, c, w, cl.lo, cl.hi)
				rowGo(want, outStride, in, step, width, c, w, cl.lo, cl.hi)
				name := fmt.Sprintf("%s/taps%d/c%d/w%d", k.Name, taps, c, width)
				checkBands(t, name, gotAll, n)
				for i := range srcs {
					checkBands(t, name+" input", bufs[i], span)
				}
				for i := range got {
					if isSentinel(want[i]) {
						if !isSentinel(got[i]) {
							t.Fatalf("%s: wrote gap at %d", name, i)
						}
						continue
					}
					scale := float64(taps+1) * 2 // |input|, |weight| ≤ 1
					if d := math.Abs(float64(got[i] - want[i])); d > tolerance(taps, scale) {
						t.Fatalf("%s: out[%d] = %v, twin %v", name, i, got[i], want[i])
					}
				}
			}
		}
	}
}

// TestNaNPassesThrough: a NaN input reaches the output through the clip on
// every kernel, as Go's min and max pass it.
func TestNaNPassesThrough(t *testing.T) {
	g := Geometry{InH: 3, InW: 3, Channels: 17, KH: 3, KW: 3, StrideH: 1, StrideW: 1, DilationH: 1, DilationW: 1}
	kernel := make([]float32, 9*17)
	for i := range kernel {
		kernel[i] = 1
	}
	w, _ := Pack(kernel, nil, 3, 3, 17, 1)
	img := make([]float32, 9*17)
	img[4*17+16] = float32(math.NaN())
	for _, k := range Kernels() {
		conv, err := New(g, w, 0, 6, k)
		if err != nil {
			t.Fatal(err)
		}
		out := make([]float32, 17)
		conv.Row(out, 17, img, 0, nil)
		if !math.IsNaN(float64(out[16])) || out[0] != 0 {
			t.Errorf("%s: out = %v, want channel 16 NaN and the rest 0", k.Name, out)
		}
	}
}

func TestPickKernel(t *testing.T) {
	if k := pickKernel("generic"); k.ISA != "generic" {
		t.Errorf(`pickKernel("generic") = %s`, k.Name)
	}
	best := Kernels()[len(Kernels())-1]
	if k := pickKernel(""); k.Name != best.Name {
		t.Errorf(`pickKernel("") = %s, want %s`, k.Name, best.Name)
	}
	if k := pickKernel("AVX-9000"); k.Name != best.Name {
		t.Errorf(`pickKernel of an unknown ISA = %s, want the fastest, %s`, k.Name, best.Name)
	}
	for _, k := range Kernels() {
		if got, ok := KernelByISA(k.ISA); !ok || got.Name != k.Name {
			t.Errorf("KernelByISA(%q) = %v, %v", k.ISA, got, ok)
		}
	}
}

func TestBadArguments(t *testing.T) {
	if _, err := Pack(make([]float32, 8), nil, 3, 3, 1, 1); err == nil {
		t.Error("Pack accepted 8 values for a 3×3 window")
	}
	if _, err := Pack(make([]float32, 9), make([]float32, 2), 3, 3, 1, 1); err == nil {
		t.Error("Pack accepted a bias of 2 for 1 channel")
	}
	if _, err := Pack(nil, nil, 3, 3, 0, 1); err == nil {
		t.Error("Pack accepted 0 channels")
	}
	w, _ := Pack(make([]float32, 9*4), nil, 3, 3, 4, 1)
	good := Geometry{InH: 4, InW: 4, Channels: 4, KH: 3, KW: 3, StrideH: 1, StrideW: 1, DilationH: 1, DilationW: 1}
	for name, g := range map[string]Geometry{
		"zero dilation":    func() Geometry { g := good; g.DilationW = 0; return g }(),
		"negative padding": func() Geometry { g := good; g.PadTop = -1; return g }(),
		"zero stride":      func() Geometry { g := good; g.StrideH = 0; return g }(),
		"window too big":   func() Geometry { g := good; g.DilationH = 2; return g }(),
		"absurd width":     func() Geometry { g := good; g.InW = 1 << 40; return g }(),
		"absurd image":     func() Geometry { g := good; g.InH, g.InW = 1<<20, 1<<20; return g }(),
		"other channels":   func() Geometry { g := good; g.Channels = 5; return g }(),
	} {
		if _, err := New(g, w, 0, 1, Selected()); err == nil {
			t.Errorf("New accepted a geometry with %s", name)
		}
	}
	if _, err := New(good, w, 1, 0, Selected()); err == nil {
		t.Error("New accepted the clip [1, 0]")
	}
	conv, err := New(good, w, 0, 1, Selected())
	if err != nil {
		t.Fatal(err)
	}
	for name, call := range map[string]func(){
		"a short output":          func() { conv.Row(make([]float32, 7), 4, make([]float32, 64), 0, nil) },
		"an overflowing stride":   func() { conv.Row(make([]float32, 16), math.MaxInt/2, make([]float32, 64), 0, nil) },
		"a stride below channels": func() { conv.Row(make([]float32, 16), 3, make([]float32, 64), 0, nil) },
		"a short image":           func() { conv.Row(make([]float32, 16), 4, make([]float32, 63), 0, nil) },
		"a row past the end":      func() { conv.Row(make([]float32, 16), 4, make([]float32, 64), 2, nil) },
		"rows past the end":       func() { conv.Rows(make([]float32, 32), make([]float32, 64), 1, 3, nil) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Row accepted %s", name)
				}
			}()
			call()
		}()
	}
}

// TestRowAllocates nothing for windows up to 7×7.
func TestRowAllocatesNothing(t *testing.T) {
	g := Geometry{InH: 9, InW: 9, Channels: 33, KH: 5, KW: 5, StrideH: 1, StrideW: 1, DilationH: 1, DilationW: 1, PadTop: 2, PadBottom: 2, PadLeft: 2, PadRight: 2}
	w, _ := Pack(make([]float32, 25*33), nil, 5, 5, 33, 1)
	img := make([]float32, 9*9*33)
	out := make([]float32, 9*33)
	for _, k := range Kernels() {
		conv, _ := New(g, w, 0, 6, k)
		if n := testing.AllocsPerRun(10, func() { conv.Row(out, 33, img, 0, nil) }); n != 0 {
			t.Errorf("%s: Row allocates %v times", k.Name, n)
		}
	}
}

// TestRowsSplit: rows computed in pieces, as threads would, give the
// whole image's output bit for bit, and leave the rows outside alone.
func TestRowsSplit(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	g := convCase{h: 9, w: 8, kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, m: 1, same: true}.geometry(19)
	w, _ := Pack(randSlice(r, 9*19), randSlice(r, 19), 3, 3, 19, 1)
	img := randSlice(r, 9*8*19)
	conv, _ := New(g, w, 0, 6, Selected())
	whole := make([]float32, 9*8*19)
	conv.Image(whole, img, nil)
	parts := make([]float32, len(whole))
	for i := range parts {
		parts[i] = sentinel
	}
	conv.Rows(parts, img, 2, 5, nil)
	for i, v := range parts {
		inside := i >= 2*8*19 && i < 5*8*19
		if inside && v != whole[i] || !inside && !isSentinel(v) {
			t.Fatalf("value %d: %v (whole image: %v, rows 2..4 only)", i, v, whole[i])
		}
	}
}

// TestPackedMustComeFromPack: weights whose fields were changed after
// packing, or made by hand, are refused rather than read out of bounds.
func TestPackedMustComeFromPack(t *testing.T) {
	g := Geometry{InH: 4, InW: 4, Channels: 20, KH: 3, KW: 3, StrideH: 1, StrideW: 1, DilationH: 1, DilationW: 1}
	w, _ := Pack(make([]float32, 9*20), nil, 3, 3, 20, 1)
	w.Multiplier = 2
	if _, err := New(g, w, 0, 1, Selected()); err == nil {
		t.Error("New accepted weights whose multiplier was changed after packing")
	}
	if _, err := New(g, &Packed{KH: 3, KW: 3, Channels: 20, Multiplier: 1}, 0, 1, Selected()); err == nil {
		t.Error("New accepted weights made by hand")
	}
}
