package ops

func init() {
	RegisterLayer("MaxPooling2D", func(s *LayerSpec) (Layer, error) {
		cfg, err := pool2DFromConfig(s)
		if err != nil {
			return nil, err
		}
		return NewMaxPooling2D(cfg)
	})
	RegisterLayer("AveragePooling2D", func(s *LayerSpec) (Layer, error) {
		cfg, err := pool2DFromConfig(s)
		if err != nil {
			return nil, err
		}
		return NewAveragePooling2D(cfg)
	})
	RegisterLayer("GlobalAveragePooling2D", func(s *LayerSpec) (Layer, error) {
		if err := globalPoolFromConfig(s); err != nil {
			return nil, err
		}
		return &GlobalAveragePooling2D{Name: s.Name, Keepdims: s.OptBool("keepdims", false)}, nil
	})
	RegisterLayer("GlobalMaxPooling2D", func(s *LayerSpec) (Layer, error) {
		if err := globalPoolFromConfig(s); err != nil {
			return nil, err
		}
		return &GlobalMaxPooling2D{Name: s.Name, Keepdims: s.OptBool("keepdims", false)}, nil
	})
}

// kerasConfig gives Keras's keys, and PyTorch's options (which Keras
// lacks) under keys of their own only when they are set, so a Keras-style
// layer's config stays Keras's.
func (c *Pool2DConfig) kerasConfig() map[string]any {
	m := map[string]any{
		"pool_size":   c.PoolSize[:],
		"strides":     c.Strides[:],
		"padding":     c.Padding.String(),
		"data_format": "channels_last",
	}
	if c.Pads != [4]int{} {
		m["pads"] = c.Pads[:]
	}
	if c.CeilMode {
		m["ceil_mode"] = true
	}
	if c.CountIncludePad {
		m["count_include_pad"] = true
	}
	return m
}

// KerasConfig returns MaxPooling2D's Keras arguments.
func (l *MaxPooling2D) KerasConfig() map[string]any { return l.kerasConfig() }

// KerasConfig returns AveragePooling2D's Keras arguments.
func (l *AveragePooling2D) KerasConfig() map[string]any { return l.kerasConfig() }

// pool2DFromConfig reads a pooling layer's arguments; Keras writes strides
// null for "the pool size".
func pool2DFromConfig(s *LayerSpec) (Pool2DConfig, error) {
	s.Input(3)
	cfg := Pool2DConfig{
		Name:     s.Name,
		PoolSize: s.OptPair("pool_size", [2]int{2, 2}),
		Strides:  s.OptPair("strides", [2]int{}),
		Padding:  s.Padding(),
	}
	s.Want("data_format", "channels_last", "channels_last")
	if s.Has("pads") {
		var pads []int
		if s.decode("pads", &pads, "four integers (top, bottom, left, right)") {
			if len(pads) != 4 {
				s.Fail("pads = %v, want four integers (top, bottom, left, right)", pads)
			} else {
				for i, p := range pads {
					cfg.Pads[i] = s.checkInt("pads", p)
				}
			}
		}
	}
	cfg.CeilMode = s.OptBool("ceil_mode", false)
	cfg.CountIncludePad = s.OptBool("count_include_pad", false)
	return cfg, s.Err()
}

func globalPoolKerasConfig(keepdims bool) map[string]any {
	return map[string]any{"data_format": "channels_last", "keepdims": keepdims}
}

// KerasConfig returns GlobalAveragePooling2D's Keras arguments.
func (l *GlobalAveragePooling2D) KerasConfig() map[string]any {
	return globalPoolKerasConfig(l.Keepdims)
}

// KerasConfig returns GlobalMaxPooling2D's Keras arguments.
func (l *GlobalMaxPooling2D) KerasConfig() map[string]any { return globalPoolKerasConfig(l.Keepdims) }

func globalPoolFromConfig(s *LayerSpec) error {
	s.Input(3)
	s.Want("data_format", "channels_last", "channels_last")
	s.OptBool("keepdims", false) // records a value of the wrong type
	return s.Err()
}
