package ops

func init() { RegisterLayer("Conv2D", conv2DFromConfig) }

// KerasConfig returns Conv2D's Keras arguments.
func (l *Conv2D) KerasConfig() map[string]any {
	return map[string]any{
		"filters":       l.Filters,
		"kernel_size":   l.KernelSize[:],
		"strides":       l.Strides[:],
		"padding":       l.Padding.String(),
		"data_format":   "channels_last",
		"dilation_rate": []int{1, 1},
		"groups":        1,
		"activation":    "linear",
		"use_bias":      !l.NoBias,
	}
}

func conv2DFromConfig(s *LayerSpec) (Layer, error) {
	in := s.Input(3)
	cfg := Conv2DConfig{
		Name:       s.Name,
		Filters:    s.Int("filters"),
		KernelSize: s.Pair("kernel_size"),
		Strides:    s.OptPair("strides", [2]int{1, 1}),
		Padding:    s.Padding(),
		NoBias:     !s.OptBool("use_bias", true),
	}
	if cfg.Strides[0] < 1 || cfg.Strides[1] < 1 {
		s.Fail("strides %v, want positive", cfg.Strides)
	}
	s.Want("data_format", "channels_last", "channels_last")
	if d := s.OptPair("dilation_rate", [2]int{1, 1}); d != [2]int{1, 1} {
		s.Fail("dilation_rate %v is not supported (want 1)", d)
	}
	if g := s.OptInt("groups", 1); g != 1 {
		s.Fail("groups = %d is not supported (want 1)", g)
	}
	if a := s.Activation("activation"); a != Linear {
		s.Fail("activation %v is not supported on Conv2D (want linear; add an Activation layer)", a)
	}
	if err := s.Err(); err != nil {
		return nil, err
	}
	if err := s.Reserve(Shape{cfg.KernelSize[0], cfg.KernelSize[1], in[2], cfg.Filters}, Shape{cfg.Filters}); err != nil {
		return nil, err
	}
	return NewConv2D(cfg, in[2], s.RNG)
}
