package dwconv

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/simdnet/simdnet/internal/vec"
)

// TestActivations runs every kernel with each activation NewActivated
// takes, fused (none, ReLU, clip) or applied per row (the others), against
// the float64 definition of the convolution followed by the activation.
func TestActivations(t *testing.T) {
	acts := []struct {
		a   vec.Activation
		ref func(float64) float64
	}{
		{vec.Activation{Kind: vec.ActNone}, func(x float64) float64 { return x }},
		{vec.Activation{Kind: vec.ActReLU}, func(x float64) float64 { return math.Max(x, 0) }},
		{vec.Activation{Kind: vec.ActClip, Lo: -0.5, Hi: 0.75}, func(x float64) float64 { return math.Min(math.Max(x, -0.5), 0.75) }},
		{vec.Activation{Kind: vec.ActLeakyReLU, Alpha: 0.2}, func(x float64) float64 {
			if x < 0 {
				return 0.2 * x
			}
			return x
		}},
		{vec.Activation{Kind: vec.ActHardSwish}, func(x float64) float64 { return x * math.Min(math.Max(x+3, 0), 6) / 6 }},
		{vec.Activation{Kind: vec.ActSigmoid}, func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }},
		{vec.Activation{Kind: vec.ActSiLU}, func(x float64) float64 { return x / (1 + math.Exp(-x)) }},
	}
	r := rand.New(rand.NewPCG(11, 12))
	inf := float32(math.Inf(1))
	for _, k := range Kernels() {
		for _, cc := range []convCase{
			{h: 7, w: 9, kh: 3, kw: 3, sh: 2, sw: 2, dh: 1, dw: 1, m: 1, same: true},
			{h: 6, w: 7, kh: 5, kw: 5, sh: 1, sw: 1, dh: 1, dw: 1, m: 2, same: true},
		} {
			for _, c := range []int{7, 17, 33} {
				g := cc.geometry(c)
				kernel := randSlice(r, g.KH*g.KW*c*cc.m)
				bias := randSlice(r, c*cc.m)
				img := randSlice(r, g.InH*g.InW*c)
				w, err := Pack(kernel, bias, g.KH, g.KW, c, cc.m)
				if err != nil {
					t.Fatal(err)
				}
				pre, scale := reference(g, img, kernel, bias, cc.m, -inf, inf)
				for _, act := range acts {
					name := fmt.Sprintf("%s/%v/c%d/%v", k.ISA, cc, c, act.a.Kind)
					conv, err := NewActivated(g, w, act.a, k)
					if err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					out := make([]float32, g.OutH()*g.OutW()*c*cc.m)
					scratch := make([]float32, conv.ScratchLen())
					conv.Image(out, img, scratch)
					for i, v := range out {
						want := act.ref(pre[i])
						// The slope of these activations is at most 1.5;
						// sigmoid's exp is a few ulp off.
						tol := 1.5*tolerance(g.KH*g.KW, scale[i]) + 1e-6*math.Abs(want) + 1e-7
						if d := math.Abs(float64(v) - want); !(d <= tol) {
							t.Fatalf("%s: out[%d] = %v, want %v (pre-activation %v)", name, i, v, want, pre[i])
						}
					}
				}
			}
		}
	}
	w, _ := Pack(make([]float32, 9), nil, 3, 3, 1, 1)
	g := Geometry{InH: 3, InW: 3, Channels: 1, KH: 3, KW: 3, StrideH: 1, StrideW: 1, DilationH: 1, DilationW: 1}
	if _, err := NewActivated(g, w, vec.Activation{Kind: vec.ActClip, Lo: 1, Hi: 0}, Selected()); err == nil {
		t.Error("NewActivated accepted the clip [1, 0]")
	}
}
