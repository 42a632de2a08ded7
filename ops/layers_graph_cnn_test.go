package ops

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func structureCases(t *testing.T, rng *rand.Rand) []layerCase {
	ln := func(name string, cfg LayerNormConfig, c int) Layer {
		cfg.Name = name
		l, err := NewLayerNormalization(cfg, c)
		if err != nil {
			t.Fatal(err)
		}
		if l.Gamma != nil {
			fillRand(rng, l.Gamma, 0.5, 2)
		}
		if l.Beta != nil {
			fillRand(rng, l.Beta, -1, 1)
		}
		return l
	}
	norm, err := NewNormalization("normalization", 3, []float32{0.485, 0.456, 0.406}, []float32{0.229 * 0.229, 0.224 * 0.224, 0})
	if err != nil {
		t.Fatal(err)
	}
	inv, _ := NewNormalization("normalization_invert", 3, []float32{0.5, -1, 2}, []float32{4, 0.25, 1})
	inv.Invert = true
	return []layerCase{
		{&Concatenate{Name: "concat_channels", Axis: -1}, []Shape{{5, 3, 4}, {5, 3, 7}, {5, 3, 1}}, 1},
		{&Concatenate{Name: "concat_axis3", Axis: 3}, []Shape{{5, 3, 4}, {5, 3, 2}}, 1},
		{&Concatenate{Name: "concat_width", Axis: 2}, []Shape{{5, 3, 4}, {5, 1, 4}}, 1},
		{&Concatenate{Name: "concat_height", Axis: 1}, []Shape{{2, 3, 4}, {5, 3, 4}}, 1},
		{&Concatenate{Name: "concat_features"}, []Shape{{6}, {3}}, 1},
		{&Multiply{Name: "multiply"}, []Shape{{5, 3, 4}, {5, 3, 4}}, 2},
		{&Multiply{Name: "multiply_se"}, []Shape{{5, 7, 6}, {1, 1, 6}}, 2},
		{&Multiply{Name: "multiply_se_first"}, []Shape{{1, 1, 6}, {5, 7, 6}}, 2},
		{&Multiply{Name: "multiply_three"}, []Shape{{5, 7, 6}, {1, 1, 6}, {5, 7, 1}}, 3},
		{&Add{Name: "add_se"}, []Shape{{5, 7, 6}, {1, 1, 6}}, 2},
		{&Add{Name: "add_rank"}, []Shape{{5, 7, 6}, {6}}, 2},
		{&Subtract{Name: "subtract"}, []Shape{{4, 3}, {1, 3}}, 2},
		{&Maximum{Name: "maximum"}, []Shape{{4, 3}, {4, 3}, {4, 1}}, 1},
		{&Minimum{Name: "minimum"}, []Shape{{4, 3}, {4, 3}}, 1},
		{&Average{Name: "average"}, []Shape{{4, 3, 2}, {4, 3, 2}, {1, 3, 2}}, 4},
		{&Reshape{Name: "reshape", TargetShape: Shape{5, 3, 2, 3}}, []Shape{{5, 3, 6}}, 1},
		{&Reshape{Name: "reshape_infer", TargetShape: Shape{-1, 6}}, []Shape{{5, 3, 6}}, 1},
		{&Permute{Name: "permute_shuffle", Dims: []int{1, 2, 4, 3}}, []Shape{{5, 3, 2, 3}}, 1},
		{&Permute{Name: "permute_all", Dims: []int{3, 1, 2}}, []Shape{{5, 3, 4}}, 1},
		{&Permute{Name: "permute_identity", Dims: []int{1, 2}}, []Shape{{5, 3}}, 1},
		{ln("ln", LayerNormConfig{}, 7), []Shape{{5, 3, 7}}, 20},
		{ln("ln_convnext", LayerNormConfig{Epsilon: 1e-6}, 96), []Shape{{3, 3, 96}}, 200},
		{ln("ln_noscale", LayerNormConfig{NoScale: true}, 5), []Shape{{4, 5}}, 20},
		{ln("ln_nocenter", LayerNormConfig{NoCenter: true, Axis: 3}, 5), []Shape{{2, 4, 5}}, 20},
		{&Rescaling{Name: "rescaling", Scale: 1.0 / 127.5, Offset: -1}, []Shape{{5, 3, 3}}, 2},
		{norm, []Shape{{5, 3, 3}}, 4},
		{inv, []Shape{{5, 3, 3}}, 4},
		{&GlobalAveragePooling2D{Name: "gap_keepdims", Keepdims: true}, []Shape{{5, 3, 7}}, 15},
		{&GlobalMaxPooling2D{Name: "gmp_keepdims", Keepdims: true}, []Shape{{5, 3, 7}}, 1},
		{&Dropout{Name: "dropout_inference", Rate: 0.5}, []Shape{{5, 3}}, 1},
		{&Slice{Name: "slice_channels", Axis: 3, Start: 2, Stop: 5}, []Shape{{5, 3, 7}}, 1},
		{&Slice{Name: "slice_last", Axis: -1, Start: 0, Stop: 3}, []Shape{{5, 3, 6}}, 1},
		{&Slice{Name: "slice_height", Axis: 1, Start: 1, Stop: 4}, []Shape{{5, 3, 2}}, 1},
		{&Slice{Name: "slice_width_all", Axis: 2, Start: 0, Stop: 3}, []Shape{{5, 3, 2}}, 1},
		{&Slice{Name: "slice_features", Axis: 1, Start: 4, Stop: 5}, []Shape{{6}}, 1},
	}
}

func poolVariantCases(t *testing.T) []layerCase {
	var cases []layerCase
	for _, cfg := range []Pool2DConfig{
		{PoolSize: [2]int{3, 3}, Strides: [2]int{2, 2}, CeilMode: true},
		{PoolSize: [2]int{3, 3}, Strides: [2]int{2, 2}, Pads: [4]int{1, 1, 1, 1}},
		{PoolSize: [2]int{3, 3}, Strides: [2]int{2, 2}, Pads: [4]int{1, 1, 1, 1}, CountIncludePad: true},
		{PoolSize: [2]int{3, 3}, Strides: [2]int{2, 2}, Pads: [4]int{1, 0, 2, 1}, CeilMode: true, CountIncludePad: true},
		{PoolSize: [2]int{2, 2}, Strides: [2]int{2, 2}, CeilMode: true, CountIncludePad: true},
		{PoolSize: [2]int{3, 3}, Strides: [2]int{2, 2}, Padding: Same, CountIncludePad: true},
		{PoolSize: [2]int{3, 3}, Strides: [2]int{1, 1}, Padding: Same},
	} {
		cfg.Name = fmt.Sprintf("pool_p%v_ceil%v_inc%v_%v", cfg.Pads, cfg.CeilMode, cfg.CountIncludePad, cfg.Padding)
		mp, err := NewMaxPooling2D(cfg)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Name = "avg_" + cfg.Name
		ap, err := NewAveragePooling2D(cfg)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, layerCase{mp, []Shape{{8, 9, 3}}, 1}, layerCase{ap, []Shape{{8, 9, 3}}, 9})
	}
	return cases
}

func TestStructureLayersMatchReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(29, 30))
	checkAgainstReference(t, rng, structureCases(t, rng), 1)
	checkAgainstReference(t, rng, poolVariantCases(t), 1)
}

// TestPoolingLikePyTorch checks output sizes and values against what
// PyTorch computes (worked by hand from its definitions) on a 1×5×5×1
// ramp 0..24.
func TestPoolingLikePyTorch(t *testing.T) {
	x := NewTensor(1, 5, 5, 1)
	for i := range x.Data {
		x.Data[i] = float32(i)
	}
	for _, c := range []struct {
		cfg  Pool2DConfig
		avg  bool
		want []float32
	}{
		// nn.MaxPool2d(2, 2, ceil_mode=True): 3×3, the last row and column of windows cut.
		{Pool2DConfig{PoolSize: [2]int{2, 2}, CeilMode: true}, false, []float32{6, 8, 9, 16, 18, 19, 21, 23, 24}},
		// nn.AvgPool2d(2, 2, ceil_mode=True): cut windows divide by their cells inside.
		{Pool2DConfig{PoolSize: [2]int{2, 2}, CeilMode: true}, true, []float32{3, 5, 6.5, 13, 15, 16.5, 20.5, 22.5, 24}},
		// nn.AvgPool2d(3, 2, padding=1) (count_include_pad=True): corners divide by 9.
		{Pool2DConfig{PoolSize: [2]int{3, 3}, Strides: [2]int{2, 2}, Pads: [4]int{1, 1, 1, 1}, CountIncludePad: true}, true,
			[]float32{12.0 / 9, 27.0 / 9, 24.0 / 9, 63.0 / 9, 108.0 / 9, 81.0 / 9, 72.0 / 9, 117.0 / 9, 84.0 / 9}},
		// count_include_pad=False: corners divide by 4.
		{Pool2DConfig{PoolSize: [2]int{3, 3}, Strides: [2]int{2, 2}, Pads: [4]int{1, 1, 1, 1}}, true,
			[]float32{3, 27.0 / 6, 6, 63.0 / 6, 12, 81.0 / 6, 18, 117.0 / 6, 21}},
	} {
		var l Layer
		var err error
		if c.avg {
			l, err = NewAveragePooling2D(c.cfg)
		} else {
			l, err = NewMaxPooling2D(c.cfg)
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []func(*Tensor, []*Tensor, Mode) error{l.Forward, l.ForwardRef} {
			out, err := newOutput(l, []*Tensor{x})
			if err != nil {
				t.Fatal(err)
			}
			if err := f(out, []*Tensor{x}, Inference); err != nil {
				t.Fatal(err)
			}
			for i, w := range c.want {
				if math.Abs(float64(out.Data[i]-w)) > 1e-5 {
					t.Errorf("%+v avg=%v: out %v, want %v", c.cfg, c.avg, out.Data, c.want)
					break
				}
			}
		}
	}
}

func TestDropout(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	x := randTensor(rng, 4, 6, 5, 32)
	for i := range x.Data {
		x.Data[i] += 2 // no zeros of its own
	}
	for _, spatial := range []bool{false, true} {
		var l *Dropout
		if spatial {
			s, err := NewSpatialDropout2D("sd", 0.25, 7)
			if err != nil {
				t.Fatal(err)
			}
			l = &s.Dropout
		} else {
			var err error
			if l, err = NewDropout("d", 0.25, 7); err != nil {
				t.Fatal(err)
			}
		}
		out, _ := Apply(l, Inference, x)
		for i := range x.Data {
			if out.Data[i] != x.Data[i] {
				t.Fatalf("%s: inference changed [%d]", l.Class(), i)
			}
		}
		out, err := Apply(l, Training, x)
		if err != nil {
			t.Fatal(err)
		}
		first := append([]float32(nil), l.Mask...)
		dropped := 0
		for i, v := range out.Data {
			switch {
			case v == 0:
				dropped++
			case math.Abs(float64(v-x.Data[i]/0.75)) > 1e-5:
				t.Fatalf("%s: kept [%d] = %v, want %v", l.Class(), i, v, x.Data[i]/0.75)
			}
			if spatial && (v == 0) != (out.Data[i-i%(6*5*32)+i%32] == 0) {
				t.Fatalf("SpatialDropout2D: [%d] dropped unlike the image's first pixel of its channel", i)
			}
		}
		if frac := float64(dropped) / float64(len(out.Data)); math.Abs(frac-0.25) > 0.1 {
			t.Errorf("%s: dropped %.3f, want about 0.25", l.Class(), frac)
		}
		// The reference with the same seed draws the same mask.
		twin := &Dropout{Name: "twin", Rate: 0.25, Seed: 7, spatial: spatial}
		ref := NewTensor(out.Shape...)
		if err := twin.ForwardRef(ref, []*Tensor{x}, Training); err != nil {
			t.Fatal(err)
		}
		assertClose(t, l.Class()+" reference", out.Data, ref.Data, 1)
		if err := l.ForwardRef(ref, []*Tensor{x}, Training); err != nil {
			t.Fatal(err)
		}
		same := true
		for i := range first {
			same = same && first[i] == l.Mask[i]
		}
		if same {
			t.Errorf("%s: two training calls drew the same mask", l.Class())
		}
		// A fresh layer with the seed draws the same sequence.
		again, _ := NewDropout("d2", 0.25, 7)
		again.spatial = spatial
		again.DrawMask(x)
		for i := range first {
			if again.Mask[i] != first[i] {
				t.Fatalf("%s: seed 7 gave another mask", l.Class())
			}
		}
	}
}
