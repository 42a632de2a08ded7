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
		return &GlobalAveragePooling2D{Name: s.Name}, nil
	})
	RegisterLayer("GlobalMaxPooling2D", func(s *LayerSpec) (Layer, error) {
		if err := globalPoolFromConfig(s); err != nil {
			return nil, err
		}
		return &GlobalMaxPooling2D{Name: s.Name}, nil
	})
}

func (c *Pool2DConfig) kerasConfig() map[string]any {
	return map[string]any{
		"pool_size":   c.PoolSize[:],
		"strides":     c.Strides[:],
		"padding":     c.Padding.String(),
		"data_format": "channels_last",
	}
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
	return cfg, s.Err()
}

func globalPoolKerasConfig() map[string]any {
	return map[string]any{"data_format": "channels_last", "keepdims": false}
}

// KerasConfig returns GlobalAveragePooling2D's Keras arguments.
func (l *GlobalAveragePooling2D) KerasConfig() map[string]any { return globalPoolKerasConfig() }

// KerasConfig returns GlobalMaxPooling2D's Keras arguments.
func (l *GlobalMaxPooling2D) KerasConfig() map[string]any { return globalPoolKerasConfig() }

func globalPoolFromConfig(s *LayerSpec) error {
	s.Input(3)
	s.Want("data_format", "channels_last", "channels_last")
	if s.OptBool("keepdims", false) {
		s.Fail("keepdims=True is not supported")
	}
	return s.Err()
}
