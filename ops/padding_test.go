package ops

import "testing"

// TestPaddingWindow checks TensorFlow's "same" arithmetic, including the
// asymmetric split that puts the odd cell at the bottom/right.
func TestPaddingWindow(t *testing.T) {
	for _, c := range []struct {
		p                  Padding
		in, k, stride      int
		out, before, after int
	}{
		{Same, 64, 7, 2, 32, 2, 3},
		{Same, 15, 3, 2, 8, 1, 1},
		{Same, 4, 3, 2, 2, 0, 1},
		{Same, 8, 1, 2, 4, 0, 0},
		{Same, 15, 3, 1, 15, 1, 1},
		{Same, 5, 2, 1, 5, 0, 1},
		{Valid, 70, 7, 2, 32, 0, 0},
		{Valid, 32, 3, 2, 15, 0, 0},
		{Valid, 2, 3, 1, 0, 0, 0},
	} {
		out, b, a := c.p.Window(c.in, c.k, c.stride)
		if out != c.out || b != c.before || a != c.after {
			t.Errorf("%v.Window(%d, %d, %d) = %d, %d, %d; want %d, %d, %d", c.p, c.in, c.k, c.stride, out, b, a, c.out, c.before, c.after)
		}
	}
	for _, s := range []string{"valid", "same"} {
		if p, err := ParsePadding(s); err != nil || p.String() != s {
			t.Errorf("ParsePadding(%q) = %v, %v", s, p, err)
		}
	}
	if _, err := ParsePadding("full"); err == nil {
		t.Error("ParsePadding accepted \"full\"")
	}
}

// TestConvSameIsAsymmetric checks by hand a case where TensorFlow pads only
// at the bottom and right: 4×4 ones, a 3×3 ones kernel, stride 2.
func TestConvSameIsAsymmetric(t *testing.T) {
	l, err := NewConv2D(Conv2DConfig{Name: "c", Filters: 1, KernelSize: [2]int{3, 3}, Strides: [2]int{2, 2}, Padding: Same}, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	l.Kernel.Fill(1)
	x := NewTensor(1, 4, 4, 1)
	for i := range x.Data {
		x.Data[i] = 1
	}
	want := []float32{9, 6, 6, 4}
	for _, f := range []func(*Tensor, []*Tensor, Mode) error{l.Forward, l.ForwardRef} {
		out := NewTensor(1, 2, 2, 1)
		if err := f(out, []*Tensor{x}, Inference); err != nil {
			t.Fatal(err)
		}
		for i, v := range want {
			if out.Data[i] != v {
				t.Fatalf("out = %v, want %v", out.Data, want)
			}
		}
	}
}

// TestPoolSameExcludesPadding checks by hand that max pooling ignores the
// padding (all inputs negative) and average pooling divides by the cells
// inside the image.
func TestPoolSameExcludesPadding(t *testing.T) {
	cfg := Pool2DConfig{Name: "p", PoolSize: [2]int{2, 2}, Strides: [2]int{2, 2}, Padding: Same}
	x := NewTensor(1, 3, 3, 1)
	for i := range x.Data {
		x.Data[i] = -float32(i + 1) // -1 ... -9
	}
	mp, _ := NewMaxPooling2D(cfg)
	ap, _ := NewAveragePooling2D(cfg)
	for _, c := range []struct {
		l    Layer
		want []float32
	}{
		{mp, []float32{-1, -3, -7, -9}},
		{ap, []float32{-3, -4.5, -7.5, -9}},
	} {
		out, err := Apply(c.l, Inference, x)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range c.want {
			if out.Data[i] != v {
				t.Errorf("%s: out = %v, want %v", c.l.Class(), out.Data, c.want)
				break
			}
		}
	}
}

func TestGlorotUniform(t *testing.T) {
	const fanIn, fanOut = 3 * 3 * 64, 3 * 3 * 128
	a := make([]float32, 20000)
	b := make([]float32, len(a))
	GlorotUniform(a, fanIn, fanOut, LayerRNG(7, 3))
	GlorotUniform(b, fanIn, fanOut, LayerRNG(7, 3))
	limit := 0.0589255650988789 // sqrt(6/(576+1152))
	var sumSq float64
	for i, v := range a {
		if v != b[i] {
			t.Fatal("one seed gave two different draws")
		}
		if float64(v) < -limit || float64(v) >= limit {
			t.Fatalf("value %v outside ±%v", v, limit)
		}
		sumSq += float64(v) * float64(v)
	}
	// Uniform on ±limit has variance limit²/3 = 2/(fanIn+fanOut).
	if v := sumSq / float64(len(a)); v < 0.95*limit*limit/3 || v > 1.05*limit*limit/3 {
		t.Errorf("variance %v, want about %v", v, limit*limit/3)
	}
	GlorotUniform(b, fanIn, fanOut, LayerRNG(7, 4))
	if a[0] == b[0] && a[1] == b[1] {
		t.Error("layers 3 and 4 drew the same values")
	}
}
