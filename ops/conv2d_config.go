package ops

func init() { RegisterLayer("Conv2D", conv2DFromConfig) }

// KerasConfig returns Conv2D's Keras arguments.
func (l *Conv2D) KerasConfig() map[string]any {
	dilation := orOne(l.DilationRate)
	return map[string]any{
		"filters":       l.Filters,
		"kernel_size":   l.KernelSize[:],
		"strides":       l.Strides[:],
		"padding":       l.Padding.String(),
		"data_format":   "channels_last",
		"dilation_rate": dilation[:],
		"groups":        max(l.Groups, 1),
		"activation":    l.Activation.String(),
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
	cfg.DilationRate = s.OptPair("dilation_rate", [2]int{1, 1})
	cfg.Groups = s.OptInt("groups", 1)
	cfg.Activation = s.Activation("activation")
	if cfg.Groups < 1 {
		s.Fail("groups = %d, want at least 1", cfg.Groups)
	}
	if err := s.Err(); err != nil {
		return nil, err
	}
	if in[2]%cfg.Groups != 0 {
		s.Fail("%d input channels are not a multiple of groups = %d", in[2], cfg.Groups)
		return nil, s.Err()
	}
	if err := s.Reserve(Shape{cfg.KernelSize[0], cfg.KernelSize[1], in[2] / cfg.Groups, cfg.Filters}, Optional(!cfg.NoBias, Shape{cfg.Filters})); err != nil {
		return nil, err
	}
	return NewConv2D(cfg, in[2], s.RNG)
}
