package dwconv

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// mobileNetV2Shapes are the depthwise layers of MobileNetV2 (alpha 1) at a
// 224×224 input: the input of each 3×3 depthwise convolution and its
// stride. At 64×64 the same layers see inputs 64/224 the size.
var mobileNetV2Shapes = []struct{ h, c, stride int }{
	{112, 32, 1}, {112, 96, 2}, {56, 144, 1}, {56, 144, 2}, {28, 192, 1}, {28, 192, 2},
	{14, 384, 1}, {14, 576, 1}, {14, 576, 2}, {7, 960, 1},
}

// BenchmarkDepthwiseConv runs one image of each MobileNetV2 depthwise
// layer (3×3, same padding, ReLU6) on every kernel, reporting GB/s (input
// read, output written and packed weights, once each) and GFLOPS, and
// beside them a copy of the same byte count: depthwise convolution is
// bound by memory bandwidth, and the copy is the ceiling on this machine.
func BenchmarkDepthwiseConv(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, size := range []int{224, 64} {
		for _, s := range mobileNetV2Shapes {
			h := max(s.h*size/224, 1)
			if size == 224 {
				h = s.h
			}
			g := Geometry{InH: h, InW: h, Channels: s.c, KH: 3, KW: 3,
				StrideH: s.stride, StrideW: s.stride, DilationH: 1, DilationW: 1}
			g.PadTop, g.PadBottom = samePad(h, 3, s.stride, 1)
			g.PadLeft, g.PadRight = samePad(h, 3, s.stride, 1)
			w, err := Pack(randSlice(r, 9*s.c), randSlice(r, s.c), 3, 3, s.c, 1)
			if err != nil {
				b.Fatal(err)
			}
			img := randSlice(r, h*h*s.c)
			out := make([]float32, g.OutH()*g.OutW()*s.c)
			bytes := 4 * float64(len(img)+len(out)+len(w.data))
			shape := fmt.Sprintf("%d/%dx%dx%d-s%d", size, h, h, s.c, s.stride)
			for _, k := range Kernels() {
				conv, err := New(g, w, 0, 6, k)
				if err != nil {
					b.Fatal(err)
				}
				b.Run(shape+"/"+k.ISA, func(b *testing.B) {
					for i := 0; i < b.N; i++ {
						conv.Image(out, img, nil)
					}
					sec := b.Elapsed().Seconds()
					b.ReportMetric(bytes*float64(b.N)/sec/1e9, "GB/s")
					b.ReportMetric(float64(conv.FLOPs())*float64(b.N)/sec/1e9, "GFLOPS")
				})
			}
			// The copy moves the same bytes: half read, half written.
			n := int(math.Ceil(bytes / 8))
			src, dst := randSlice(r, n), make([]float32, n)
			b.Run(shape+"/copy", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					copy(dst, src)
				}
				b.ReportMetric(8*float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
			})
		}
	}
}

// BenchmarkRowKernel times the row kernels alone on one row of 64 pixels
// held in L1/L2 (three input rows, the taps at their offsets), for the
// unrolled 3×3 path and the looped 5×5 one: the compute ceiling, without
// the memory traffic of a whole layer.
func BenchmarkRowKernel(b *testing.B) {
	r := rand.New(rand.NewPCG(7, 8))
	const width = 64
	for _, kw := range []int{3, 5} {
		taps := kw * kw
		for _, c := range []int{16, 64, 144} {
			rows := make([][]float32, kw)
			for i := range rows {
				rows[i] = randSlice(r, (width+kw-1)*c)
			}
			in := make([]*float32, 0, taps)
			for ky := 0; ky < kw; ky++ {
				for kx := 0; kx < kw; kx++ {
					in = append(in, &rows[ky][kx*c])
				}
			}
			tiles := (c + TileChannels - 1) / TileChannels
			w := randSlice(r, tiles*(taps+1)*TileChannels)
			out := make([]float32, width*c)
			for _, k := range Kernels() {
				b.Run(fmt.Sprintf("%dx%d/c%d/%s", kw, kw, c, k.ISA), func(b *testing.B) {
					for i := 0; i < b.N; i++ {
						k.run(out, c, in, c, width, c, w, 0, 6)
					}
					sec := b.Elapsed().Seconds()
					b.ReportMetric(2*float64(taps*width*c)*float64(b.N)/sec/1e9, "GFLOPS")
				})
			}
		}
	}
}
