package ops

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// badConfig is a layer configuration that cannot work: building it or
// applying it to an input of shape in must fail with an error that names
// the layer and contains want.
type badConfig struct {
	name  string
	build func() (Layer, error)
	in    []Shape
	want  string
}

func TestBadConfigsNameTheLayer(t *testing.T) {
	for _, c := range badConfigs() {
		t.Run(c.name, func(t *testing.T) {
			var err error
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Fatalf("panic: %v", r)
					}
				}()
				var l Layer
				if l, err = c.build(); err == nil {
					_, err = l.OutputShape(c.in...)
				}
			}()
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), `"`+c.name+`"`) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not name layer %q and say %q", err, c.name, c.want)
			}
		})
	}
}

func badConfigs() []badConfig {
	dw := func(name string, cfg DepthwiseConv2DConfig, cin int) func() (Layer, error) {
		return func() (Layer, error) {
			cfg.Name = name
			return NewDepthwiseConv2D(cfg, cin, nil)
		}
	}
	conv := func(name string, cfg Conv2DConfig, cin int) func() (Layer, error) {
		return func() (Layer, error) {
			cfg.Name, cfg.KernelSize = name, [2]int{3, 3}
			return NewConv2D(cfg, cin, nil)
		}
	}
	k3 := [2]int{3, 3}
	img := []Shape{{8, 8, 4}}
	return []badConfig{
		{"dw_negative_dilation", dw("dw_negative_dilation", DepthwiseConv2DConfig{KernelSize: k3, DilationRate: [2]int{-1, 2}}, 4), img, "dilation_rate"},
		{"dw_multiplier", dw("dw_multiplier", DepthwiseConv2DConfig{KernelSize: k3, DepthMultiplier: -2}, 4), img, "depth_multiplier"},
		{"dw_stride", dw("dw_stride", DepthwiseConv2DConfig{KernelSize: k3, Strides: [2]int{0, 2}}, 4), img, "strides"},
		{"dw_kernel", dw("dw_kernel", DepthwiseConv2DConfig{KernelSize: [2]int{0, 3}}, 4), img, "kernel size"},
		{"dw_softmax", dw("dw_softmax", DepthwiseConv2DConfig{KernelSize: k3, Activation: Softmax}, 4), img, "softmax"},
		{"dw_channels", dw("dw_channels", DepthwiseConv2DConfig{KernelSize: k3}, 3), img, "(None, H, W, 3)"},
		{"dw_too_small", dw("dw_too_small", DepthwiseConv2DConfig{KernelSize: k3, DilationRate: [2]int{4, 4}}, 4), img, "dilated to 9×9"},
		{"dw_rank", dw("dw_rank", DepthwiseConv2DConfig{KernelSize: k3}, 4), []Shape{{8, 4}}, "(None, H, W, C)"},
		{"conv_groups_channels", conv("conv_groups_channels", Conv2DConfig{Filters: 8, Groups: 3}, 4), img, "multiple of groups = 3"},
		{"conv_groups_filters", conv("conv_groups_filters", Conv2DConfig{Filters: 6, Groups: 4}, 4), img, "filters = 6 is not a multiple of groups = 4"},
		{"conv_negative_groups", conv("conv_negative_groups", Conv2DConfig{Filters: 6, Groups: -2}, 4), img, "groups = -2"},
		{"conv_negative_dilation", conv("conv_negative_dilation", Conv2DConfig{Filters: 6, DilationRate: [2]int{2, -1}}, 4), img, "dilation_rate"},
		{"conv_dilated_too_small", conv("conv_dilated_too_small", Conv2DConfig{Filters: 6, DilationRate: [2]int{5, 1}}, 4), img, "dilated to 11×3"},
		{"conv_group_input", conv("conv_group_input", Conv2DConfig{Filters: 8, Groups: 2}, 4), []Shape{{8, 8, 6}}, "(None, H, W, 4)"},
		{"conv_softmax", conv("conv_softmax", Conv2DConfig{Filters: 8, Activation: Softmax}, 4), img, "softmax"},
		{"sep_dilation", func() (Layer, error) {
			return NewSeparableConv2D(SeparableConv2DConfig{Name: "sep_dilation", Filters: 4, KernelSize: k3, DilationRate: [2]int{0, -1}}, 4, nil)
		}, img, "dilation_rate"},
		{"concat_spatial", func() (Layer, error) { return &Concatenate{Name: "concat_spatial"}, nil }, []Shape{{8, 8, 4}, {4, 4, 4}}, "differ outside the concatenation axis"},
		{"concat_rank", func() (Layer, error) { return &Concatenate{Name: "concat_rank"}, nil }, []Shape{{8, 8, 4}, {8, 4}}, "ranks differ"},
		{"concat_batch_axis", func() (Layer, error) { return &Concatenate{Name: "concat_batch_axis", Axis: -4}, nil }, []Shape{{8, 8, 4}, {8, 8, 4}}, "batch axis"},
		{"concat_axis", func() (Layer, error) { return &Concatenate{Name: "concat_axis", Axis: 4}, nil }, []Shape{{8, 8, 4}, {8, 8, 4}}, "axis 4"},
		{"concat_one", func() (Layer, error) { return &Concatenate{Name: "concat_one"}, nil }, img, "want at least 2"},
		{"multiply_shapes", func() (Layer, error) { return &Multiply{Name: "multiply_shapes"}, nil }, []Shape{{8, 8, 4}, {1, 1, 3}}, "(None, 1, 1, 3)"},
		{"add_shapes", func() (Layer, error) { return &Add{Name: "add_shapes"}, nil }, []Shape{{8, 8, 4}, {8, 7, 4}}, "want (None, 8, 8, 4)"},
		{"subtract_three", func() (Layer, error) { return &Subtract{Name: "subtract_three"}, nil }, []Shape{{4}, {4}, {4}}, "want 2"},
		{"reshape_count", func() (Layer, error) { return &Reshape{Name: "reshape_count", TargetShape: Shape{5, -1}}, nil }, img, "cannot be reshaped"},
		{"reshape_two_infer", func() (Layer, error) { return &Reshape{Name: "reshape_two_infer", TargetShape: Shape{-1, -1}}, nil }, img, "dimension -1"},
		{"reshape_size", func() (Layer, error) { return &Reshape{Name: "reshape_size", TargetShape: Shape{8, 8}}, nil }, img, "holds 64"},
		{"permute_dup", func() (Layer, error) { return &Permute{Name: "permute_dup", Dims: []int{1, 1, 2}}, nil }, img, "not a permutation"},
		{"slice_batch", func() (Layer, error) { return &Slice{Name: "slice_batch", Axis: 0, Start: 0, Stop: 1}, nil }, img, "batch axis"},
		{"slice_axis", func() (Layer, error) { return &Slice{Name: "slice_axis", Axis: 4, Start: 0, Stop: 1}, nil }, img, "axis 4"},
		{"slice_past", func() (Layer, error) { return &Slice{Name: "slice_past", Axis: 3, Start: 2, Stop: 5}, nil }, img, "outside"},
		{"slice_empty", func() (Layer, error) { return &Slice{Name: "slice_empty", Axis: 3, Start: 2, Stop: 2}, nil }, img, "empty"},
		{"permute_rank", func() (Layer, error) { return &Permute{Name: "permute_rank", Dims: []int{2, 1}}, nil }, img, "input shape (None, 8, 8, 4) has 3"},
		{"dropout_rate", func() (Layer, error) { return NewDropout("dropout_rate", 1, 0) }, img, "rate = 1"},
		{"spatial_rank", func() (Layer, error) { return NewSpatialDropout2D("spatial_rank", 0.1, 0) }, []Shape{{8, 4}}, "(None, H, W, C)"},
		{"ln_axis", func() (Layer, error) { return NewLayerNormalization(LayerNormConfig{Name: "ln_axis", Axis: 1}, 4) }, img, "only the last axis"},
		{"ln_channels", func() (Layer, error) { return NewLayerNormalization(LayerNormConfig{Name: "ln_channels"}, 3) }, img, "want 3 channels"},
		{"norm_channels", func() (Layer, error) { return NewNormalization("norm_channels", 4, []float32{1, 2}, nil) }, img, "mean has 2 values"},
		{"norm_variance", func() (Layer, error) { return NewNormalization("norm_variance", 4, nil, []float32{1, -1, 1, 1}) }, img, "variance -1"},
		{"rescale_nan", func() (Layer, error) { return &Rescaling{Name: "rescale_nan", Scale: float32(math.NaN())}, nil }, img, "finite"},
		{"pool_pads", func() (Layer, error) {
			return NewAveragePooling2D(Pool2DConfig{Name: "pool_pads", PoolSize: k3, Pads: [4]int{3, 0, 0, 0}})
		}, img, "pads"},
		{"pool_same_ceil", func() (Layer, error) {
			return NewMaxPooling2D(Pool2DConfig{Name: "pool_same_ceil", PoolSize: k3, Padding: Same, CeilMode: true})
		}, img, "ceil_mode"},
		{"relu_max", func() (Layer, error) {
			return NewReLU(ReLUConfig{Name: "relu_max", MaxValue: -1, HasMaxValue: true})
		}, img, "max_value"},
		{"relu_slope", func() (Layer, error) { return NewReLU(ReLUConfig{Name: "relu_slope", NegativeSlope: -0.1}) }, img, "negative_slope"},
		{"relu_threshold", func() (Layer, error) { return NewReLU(ReLUConfig{Name: "relu_threshold", Threshold: -1}) }, img, "threshold"},
		{"leaky", func() (Layer, error) { return &LeakyReLULayer{Name: "leaky", NegativeSlope: -1}, nil }, img, "negative_slope"},
		{"act_unknown", func() (Layer, error) { return &Activation{Name: "act_unknown", Func: 200}, nil }, img, "unknown activation"},
	}
}

// TestBadCNNLayerConfigs checks that Keras configs of the CNN layers that
// cannot work give errors naming the layer.
func TestBadCNNLayerConfigs(t *testing.T) {
	img := []Shape{{8, 8, 6}}
	for _, c := range []struct {
		class, config string
		in            []Shape
		want          string
	}{
		{"Conv2D", `{"filters": 4, "kernel_size": 3, "groups": 4}`, img, "multiple of groups = 4"},
		{"Conv2D", `{"filters": 4, "kernel_size": 3, "groups": 0}`, img, "groups = 0"},
		{"Conv2D", `{"filters": 4, "kernel_size": 3, "dilation_rate": -2}`, img, "dilation_rate"},
		{"DepthwiseConv2D", `{"kernel_size": 3, "depth_multiplier": 0}`, img, "depth_multiplier"},
		{"DepthwiseConv2D", `{"kernel_size": 3, "data_format": "channels_first"}`, img, "channels_first"},
		{"DepthwiseConv2D", `{}`, img, `no "kernel_size"`},
		{"SeparableConv2D", `{"kernel_size": 3}`, img, `no "filters"`},
		{"ReLU", `{"max_value": -6}`, img, "max_value"},
		{"LeakyReLU", `{"alpha": -0.1}`, img, "negative_slope"},
		{"Concatenate", `{"axis": 0}`, []Shape{{8, 8, 6}, {8, 8, 6}}, "batch axis"},
		{"Multiply", `{}`, img, "at least 2"},
		{"Reshape", `{}`, img, `no "target_shape"`},
		{"Reshape", `{"target_shape": "7"}`, img, "list of integers"},
		{"Permute", `{"dims": [1, 2, 2]}`, img, "permutation"},
		{"Slice", `{"axis": 3, "start": 0}`, img, `no "stop"`},
		{"Slice", `{"axis": 3, "start": 1, "stop": 9}`, img, "outside"},
		{"Dropout", `{"rate": 0.5, "noise_shape": [null, 1, 1, 6]}`, img, "noise_shape"},
		{"Dropout", `{"rate": 1.5}`, img, "rate"},
		{"LayerNormalization", `{"axis": [1, 2, 3]}`, img, "axis"},
		{"Normalization", `{"mean": [1, 2]}`, img, "mean has 2 values"},
		{"Rescaling", `{"offset": 1}`, img, `no "scale"`},
		{"MaxPooling2D", `{"pool_size": 3, "pads": [1, 2]}`, img, "pads"},
		{"AveragePooling2D", `{"pool_size": 3, "padding": "same", "ceil_mode": true}`, img, "ceil_mode"},
	} {
		t.Run(c.class+c.config, func(t *testing.T) {
			s, err := NewLayerSpec(c.class, "the_layer", []byte(c.config), c.in, -1)
			if err == nil {
				var l Layer
				if l, err = BuildLayer(s); err == nil {
					_, err = l.OutputShape(c.in...)
				}
			}
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), `"the_layer"`) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q does not name the layer and %q", err, c.want)
			}
		})
	}
}

// TestConfigBudgetIsExact rebuilds every layer with a parameter budget of
// exactly the values it stores, as a model file grants: a builder that
// reserves a bias it does not have, say, fails.
func TestConfigBudgetIsExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, c := range allReferenceCases(t, rng) {
		if _, ok := c.layer.(*Input); ok {
			continue
		}
		total := 0
		for _, p := range c.layer.Params() {
			total += p.Len()
		}
		class, cfg, err := LayerConfigOf(c.layer)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(cfg)
		for _, budget := range []int{total, total - 1} {
			s, err := NewLayerSpec(class, c.layer.LayerName(), raw, c.in, budget)
			if err != nil {
				t.Fatal(err)
			}
			_, err = BuildLayer(s)
			if budget == total && err != nil {
				t.Errorf("%s with a budget of its %d values: %v", c.layer.LayerName(), total, err)
			}
			if budget < total && total > 0 && err == nil {
				t.Errorf("%s built within %d values, though it holds %d", c.layer.LayerName(), budget, total)
			}
		}
	}
}
