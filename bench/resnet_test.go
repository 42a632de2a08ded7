package bench

import (
	"fmt"
	"testing"

	_ "github.com/simdnet/simdnet/mobilenet" // registers mobilenetv2
	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/plan"
)

// BenchmarkResNet50 is fused inference of the seed and standard ResNet50 at
// 64×64, batch 1 (latency) and 32 (throughput). Threads follow -cpu:
//
//	go test -bench ResNet50 -cpu 1,2 ./bench
func BenchmarkResNet50(b *testing.B) {
	for _, arch := range []struct{ name, reg string }{{"seed", "resnet50-seed"}, {"standard", "resnet50"}} {
		g, p, err := CompiledResNet(arch.reg, 0)
		if err != nil {
			b.Fatal(err)
		}
		flop := ForwardFlops(g)
		for _, batch := range []int{1, 32} {
			b.Run(fmt.Sprintf("%s/b%d", arch.name, batch), func(b *testing.B) { benchPlan(b, p, batch, flop) })
		}
	}
}

// benchPlan times Run on a batch of random images and reports ms/img,
// img/s and GFLOPS (flop: one image's work).
func benchPlan(b *testing.B, p *plan.Plan, batch int, flop float64) {
	x := RandomImages(p, batch)
	out := ops.NewTensor(append([]int{batch}, p.OutputShape()...)...)
	if err := p.Run(out, x); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	// b.N, not b.Loop: with -cpu 1,2 a b.Loop benchmark times its first
	// figure before GOMAXPROCS is set (golang/go#49980).
	for range b.N {
		_ = p.Run(out, x)
	}
	sec := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(sec*1e3/float64(batch), "ms/img")
	b.ReportMetric(float64(batch)/sec, "img/s")
	b.ReportMetric(flop*float64(batch)/sec/1e9, "GFLOPS")
}

// BenchmarkMobileNetV2 is fused inference of MobileNetV2 (alpha 1, 1000
// classes) at 224×224 (ImageNet's size) and 64×64 (SIGNS'), batch 1
// (latency) and 32 (throughput), the depthwise steps on the selected
// dwconv kernel. Threads follow -cpu:
//
//	go test -run '^$' -bench MobileNetV2 -cpu 1,2 ./bench
func BenchmarkMobileNetV2(b *testing.B) {
	for _, side := range []int{224, 64} {
		g, p, err := Compiled("mobilenetv2", [3]int{side, side, 3}, 1000, 0)
		if err != nil {
			b.Fatal(err)
		}
		flop := ForwardFlops(g)
		for _, batch := range []int{1, 32} {
			b.Run(fmt.Sprintf("%d/b%d", side, batch), func(b *testing.B) { benchPlan(b, p, batch, flop) })
		}
	}
}

func TestForwardFlops(t *testing.T) {
	g, _, err := CompiledResNet("resnet50-seed", 1)
	if err != nil {
		t.Fatal(err)
	}
	// The PyTorch anchor prints 0.571 GFLOP per image for this network.
	if f := ForwardFlops(g) / 1e9; f < 0.570 || f > 0.572 {
		t.Fatalf("seed ResNet50: %.4f GFLOP per image, want 0.571", f)
	}
	// keras.applications' MobileNetV2 at 224×224: 300 M multiply-adds, as
	// the paper reports for width 1.
	g, _, err = Compiled("mobilenetv2", [3]int{224, 224, 3}, 1000, 1)
	if err != nil {
		t.Fatal(err)
	}
	if f := ForwardFlops(g) / 2e6; f < 295 || f > 305 {
		t.Fatalf("MobileNetV2: %.1f M multiply-adds per image, want 300", f)
	}
}
