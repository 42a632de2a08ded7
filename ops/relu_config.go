package ops

func init() {
	RegisterLayer("ReLU", reluFromConfig)
	RegisterLayer("LeakyReLU", leakyReLUFromConfig)
}

// KerasConfig returns the ReLU layer's Keras arguments; max_value is null
// without a cap.
func (l *ReLULayer) KerasConfig() map[string]any {
	var maxValue any
	if l.HasMaxValue {
		maxValue = float64(l.MaxValue)
	}
	return map[string]any{
		"max_value":      maxValue,
		"negative_slope": float64(l.NegativeSlope),
		"threshold":      float64(l.Threshold),
	}
}

func reluFromConfig(s *LayerSpec) (Layer, error) {
	s.Input(-1)
	cfg := ReLUConfig{
		Name:          s.Name,
		HasMaxValue:   s.Has("max_value"),
		MaxValue:      float32(s.OptFloat("max_value", 0)),
		NegativeSlope: float32(s.OptFloat("negative_slope", 0)),
		Threshold:     float32(s.OptFloat("threshold", 0)),
	}
	if err := s.Err(); err != nil {
		return nil, err
	}
	return NewReLU(cfg)
}

// KerasConfig returns LeakyReLU's arguments under Keras 3's key.
func (l *LeakyReLULayer) KerasConfig() map[string]any {
	return map[string]any{"negative_slope": float64(l.NegativeSlope)}
}

// leakyReLUFromConfig reads Keras 3's negative_slope or Keras 2's alpha.
func leakyReLUFromConfig(s *LayerSpec) (Layer, error) {
	s.Input(-1)
	slope := s.OptFloat("alpha", DefaultLeakyReLUSlope)
	slope = s.OptFloat("negative_slope", slope)
	if err := s.Err(); err != nil {
		return nil, err
	}
	l := &LeakyReLULayer{Name: s.Name, NegativeSlope: float32(slope)}
	if _, err := l.OutputShape(s.In...); err != nil {
		return nil, err
	}
	return l, nil
}
