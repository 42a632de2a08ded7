package ops

func init() {
	RegisterLayer("DepthwiseConv2D", depthwiseFromConfig)
	RegisterLayer("SeparableConv2D", separableFromConfig)
}

// KerasConfig returns DepthwiseConv2D's Keras arguments.
func (l *DepthwiseConv2D) KerasConfig() map[string]any {
	return map[string]any{
		"kernel_size":      l.KernelSize[:],
		"strides":          l.Strides[:],
		"padding":          l.Padding.String(),
		"depth_multiplier": l.DepthMultiplier,
		"data_format":      "channels_last",
		"dilation_rate":    l.DilationRate[:],
		"activation":       l.Activation.String(),
		"use_bias":         !l.NoBias,
	}
}

// KerasConfig returns SeparableConv2D's Keras arguments.
func (l *SeparableConv2D) KerasConfig() map[string]any {
	return map[string]any{
		"filters":          l.Filters,
		"kernel_size":      l.KernelSize[:],
		"strides":          l.Strides[:],
		"padding":          l.Padding.String(),
		"depth_multiplier": l.DepthMultiplier,
		"data_format":      "channels_last",
		"dilation_rate":    l.DilationRate[:],
		"activation":       l.Activation.String(),
		"use_bias":         !l.NoBias,
	}
}

// convArgsFromConfig reads what both depthwise layers share.
func convArgsFromConfig(s *LayerSpec) (kernel, strides, dilation [2]int, p Padding, m int, act ActFunc, noBias bool) {
	kernel = s.Pair("kernel_size")
	strides = s.OptPair("strides", [2]int{1, 1})
	dilation = s.OptPair("dilation_rate", [2]int{1, 1})
	p = s.Padding()
	m = s.OptInt("depth_multiplier", 1)
	act = s.Activation("activation")
	noBias = !s.OptBool("use_bias", true)
	s.Want("data_format", "channels_last", "channels_last")
	for _, v := range [][2]int{kernel, strides, dilation} {
		if v[0] < 1 || v[1] < 1 {
			s.Fail("kernel_size %v, strides %v and dilation_rate %v must be positive", kernel, strides, dilation)
			break
		}
	}
	if m < 1 {
		s.Fail("depth_multiplier = %d, want at least 1", m)
	}
	return
}

func depthwiseFromConfig(s *LayerSpec) (Layer, error) {
	in := s.Input(3)
	k, st, d, p, m, act, noBias := convArgsFromConfig(s)
	if err := s.Err(); err != nil {
		return nil, err
	}
	// use_bias=False (MobileNetV2's) stores no bias.
	if err := s.Reserve(Shape{k[0], k[1], in[2], m}, Optional(!noBias, Shape{in[2] * m})); err != nil {
		return nil, err
	}
	return NewDepthwiseConv2D(DepthwiseConv2DConfig{Name: s.Name, KernelSize: k, Strides: st, Padding: p,
		DepthMultiplier: m, DilationRate: d, Activation: act, NoBias: noBias}, in[2], s.RNG)
}

func separableFromConfig(s *LayerSpec) (Layer, error) {
	in := s.Input(3)
	filters := s.Int("filters")
	k, st, d, p, m, act, noBias := convArgsFromConfig(s)
	if filters < 1 {
		s.Fail("filters = %d, want at least 1", filters)
	}
	if err := s.Err(); err != nil {
		return nil, err
	}
	if err := s.Reserve(Shape{k[0], k[1], in[2], m}, Shape{1, 1, in[2] * m, filters}, Optional(!noBias, Shape{filters})); err != nil {
		return nil, err
	}
	return NewSeparableConv2D(SeparableConv2DConfig{Name: s.Name, Filters: filters, KernelSize: k, Strides: st,
		Padding: p, DilationRate: d, DepthMultiplier: m, Activation: act, NoBias: noBias}, in[2], s.RNG)
}
