package ops

func init() { RegisterLayer("Dense", denseFromConfig) }

// KerasConfig returns Dense's Keras arguments.
func (l *Dense) KerasConfig() map[string]any {
	return map[string]any{
		"units":      l.Units,
		"activation": l.Activation.String(),
		"use_bias":   !l.NoBias,
	}
}

func denseFromConfig(s *LayerSpec) (Layer, error) {
	in := s.Input(-1)
	cfg := DenseConfig{
		Name:       s.Name,
		Units:      s.Int("units"),
		Activation: s.Activation("activation"),
		NoBias:     !s.OptBool("use_bias", true),
	}
	if cfg.Units < 1 {
		s.Fail("units = %d, want at least 1", cfg.Units)
	}
	if err := s.Err(); err != nil {
		return nil, err
	}
	features := in[len(in)-1]
	if err := s.Reserve(Shape{features, cfg.Units}, Optional(!cfg.NoBias, Shape{cfg.Units})); err != nil {
		return nil, err
	}
	return NewDense(cfg, features, s.RNG)
}
