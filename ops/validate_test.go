package ops

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestForwardValidates checks that bad inputs and outputs come back as
// errors naming the layer and the shape it wanted, not as panics.
func TestForwardValidates(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	conv := mustConv(t, rng, 3, Conv2DConfig{Name: "conv1", Filters: 8, KernelSize: [2]int{3, 3}})
	dense, _ := NewDense(DenseConfig{Name: "fc6", Units: 6}, 10, rng)
	bn, _ := NewBatchNormalization(BatchNormConfig{Name: "bn_conv1", Axis: 3}, 8)
	for _, c := range []struct {
		name  string
		l     Layer
		out   *Tensor
		in    []*Tensor
		wants []string
	}{
		{"channels", conv, NewTensor(1, 3, 3, 8), []*Tensor{NewTensor(1, 5, 5, 4)}, []string{`"conv1"`, "Conv2D", "(None, H, W, 3)"}},
		{"rank", conv, NewTensor(1, 3, 3, 8), []*Tensor{NewTensor(1, 5, 3)}, []string{`"conv1"`, "(None, H, W, C)"}},
		{"batch 0", conv, NewTensor(0, 3, 3, 8), []*Tensor{NewTensor(0, 5, 5, 3)}, []string{`"conv1"`, "batch size 0"}},
		{"too small", conv, NewTensor(1, 3, 3, 8), []*Tensor{NewTensor(1, 2, 5, 3)}, []string{`"conv1"`, "smaller than the 3×3 kernel"}},
		{"output", conv, NewTensor(1, 4, 3, 8), []*Tensor{NewTensor(1, 5, 5, 3)}, []string{`"conv1"`, "want (1, 3, 3, 8)"}},
		{"nil output", conv, nil, []*Tensor{NewTensor(1, 5, 5, 3)}, []string{"output is nil"}},
		{"two inputs", conv, NewTensor(1, 3, 3, 8), []*Tensor{NewTensor(1, 5, 5, 3), NewTensor(1, 5, 5, 3)}, []string{"want 1"}},
		{"features", dense, NewTensor(2, 6), []*Tensor{NewTensor(2, 9)}, []string{`"fc6"`, "want 10 features"}},
		{"bn channels", bn, NewTensor(1, 2, 2, 7), []*Tensor{NewTensor(1, 2, 2, 7)}, []string{`"bn_conv1"`, "want 8 channels"}},
		{"add shapes", &Add{Name: "add_1"}, NewTensor(1, 3), []*Tensor{NewTensor(1, 3), NewTensor(1, 4)}, []string{`"add_1"`, "(None, 4)", "want (None, 3)"}},
		{"add batches", &Add{Name: "add_1"}, NewTensor(1, 3), []*Tensor{NewTensor(1, 3), NewTensor(2, 3)}, []string{"batch size 2"}},
		{"short data", &Activation{Name: "activation_1", Func: ReLU}, NewTensor(1, 3), []*Tensor{{Shape: Shape{1, 3}, Data: make([]float32, 2)}}, []string{"2 values"}},
		{"pool", &MaxPooling2D{Pool2DConfig{Name: "max_pooling2d_1", PoolSize: [2]int{3, 3}}}, NewTensor(1, 1, 1, 1), []*Tensor{NewTensor(1, 2, 2, 1)}, []string{"smaller than the 3×3 pool"}},
	} {
		for _, f := range []func(*Tensor, []*Tensor, Mode) error{c.l.Forward, c.l.ForwardRef} {
			err := f(c.out, c.in, Inference)
			if err == nil {
				t.Errorf("%s: no error", c.name)
				continue
			}
			for _, w := range c.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%s: error %q does not mention %q", c.name, err, w)
				}
			}
		}
	}
	// Weights edited into an inconsistent state are caught too.
	conv.Bias.Value = conv.Bias.Value[:3]
	if _, err := conv.OutputShape(Shape{5, 5, 3}); err == nil || !strings.Contains(err.Error(), "bias") {
		t.Errorf("a short bias gave %v", err)
	}
}
