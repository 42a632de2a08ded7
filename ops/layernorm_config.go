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
	var params []Shape
	for _, used := range []bool{!cfg.NoScale, !cfg.NoCenter} {
		if used {
			params = append(params, Shape{c})
		}
	}
	if err := s.Reserve(params...); err != nil {
		return nil, err
	}
	return NewLayerNormalization(cfg, c)
}
