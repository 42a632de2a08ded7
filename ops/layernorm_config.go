package ops

func init() { RegisterLayer("LayerNormalization", layerNormFromConfig) }

// KerasConfig returns LayerNormalization's Keras arguments.
func (l *LayerNormalization) KerasConfig() map[string]any {
	return map[string]any{
		"axis":    l.Axis,
		"epsilon": float64(l.Epsilon),
		"center":  !l.NoCenter,
		"scale":   !l.NoScale,
	}
}

func layerNormFromConfig(s *LayerSpec) (Layer, error) {
	in := s.Input(-1)
	cfg := LayerNormConfig{
		Name:     s.Name,
		Axis:     bnAxis(s), // an integer or a one-axis list, as BatchNormalization's
		Epsilon:  float32(s.OptFloat("epsilon", DefaultLNEpsilon)),
		NoCenter: !s.OptBool("center", true),
		NoScale:  !s.OptBool("scale", true),
	}
	if err := s.Err(); err != nil {
		return nil, err
	}
	c := in[len(in)-1]
	if err := s.Reserve(Optional(!cfg.NoScale, Shape{c}), Optional(!cfg.NoCenter, Shape{c})); err != nil {
		return nil, err
	}
	return NewLayerNormalization(cfg, c)
}
