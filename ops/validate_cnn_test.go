package ops

import (
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
		{"relu_max", func() (Layer, error) {
			return NewReLU(ReLUConfig{Name: "relu_max", MaxValue: -1, HasMaxValue: true})
		}, img, "max_value"},
		{"relu_slope", func() (Layer, error) { return NewReLU(ReLUConfig{Name: "relu_slope", NegativeSlope: -0.1}) }, img, "negative_slope"},
		{"relu_threshold", func() (Layer, error) { return NewReLU(ReLUConfig{Name: "relu_threshold", Threshold: -1}) }, img, "threshold"},
		{"leaky", func() (Layer, error) { return &LeakyReLULayer{Name: "leaky", NegativeSlope: -1}, nil }, img, "negative_slope"},
		{"act_unknown", func() (Layer, error) { return &Activation{Name: "act_unknown", Func: 200}, nil }, img, "unknown activation"},
	}
}
