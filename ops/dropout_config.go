package ops

func init() {
	RegisterLayer("Dropout", func(s *LayerSpec) (Layer, error) {
		rate, seed := dropoutFromConfig(s)
		if err := s.Err(); err != nil {
			return nil, err
		}
		return NewDropout(s.Name, rate, seed)
	})
	RegisterLayer("SpatialDropout2D", func(s *LayerSpec) (Layer, error) {
		rate, seed := dropoutFromConfig(s)
		s.Want("data_format", "channels_last", "channels_last")
		if err := s.Err(); err != nil {
			return nil, err
		}
		return NewSpatialDropout2D(s.Name, rate, seed)
	})
}

// KerasConfig returns the rate and the seed (noise_shape is null: one
// draw per value, or per channel for SpatialDropout2D).
func (l *Dropout) KerasConfig() map[string]any {
	m := map[string]any{"rate": float64(l.Rate), "seed": l.Seed}
	if l.spatial {
		m["data_format"] = "channels_last"
	} else {
		m["noise_shape"] = nil
	}
	return m
}

func dropoutFromConfig(s *LayerSpec) (rate float32, seed uint64) {
	s.Input(-1)
	if s.Has("noise_shape") {
		s.Fail("noise_shape is not supported (use SpatialDropout2D for whole channels)")
	}
	if !s.Has("rate") {
		s.Fail("config has no %q", "rate")
	}
	rate = float32(s.OptFloat("rate", 0))
	if v := s.OptInt("seed", 0); v >= 0 {
		seed = uint64(v)
	} else {
		s.Fail("seed = %d, want at least 0", v)
	}
	return rate, seed
}
