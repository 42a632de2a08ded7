package ops

import "testing"

// TestNoBiasReservesNoBias: a depthwise or separable convolution with
// use_bias=False loads from a file holding exactly its kernels; the
// parameter budget (the file's tensors) must not count a bias it lacks.
func TestNoBiasReservesNoBias(t *testing.T) {
	in := []Shape{{8, 8, 3}}
	for _, c := range []struct {
		class, config string
		values        int // the parameters the layer holds
	}{
		{"DepthwiseConv2D", `{"kernel_size":[3,3],"depth_multiplier":2,"use_bias":false}`, 3 * 3 * 3 * 2},
		{"SeparableConv2D", `{"filters":4,"kernel_size":[3,3],"use_bias":false}`, 3*3*3 + 3*4},
	} {
		for _, budget := range []int{c.values, c.values - 1} {
			s, err := NewLayerSpec(c.class, "l", []byte(c.config), in, budget)
			if err != nil {
				t.Fatal(err)
			}
			_, err = BuildLayer(s)
			if (err == nil) != (budget == c.values) {
				t.Errorf("%s with a budget of %d values for %d: %v", c.class, budget, c.values, err)
			}
		}
	}
}
