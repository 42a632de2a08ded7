package ops

func init() {
	RegisterLayer("Rescaling", func(s *LayerSpec) (Layer, error) {
		s.Input(-1)
		if !s.Has("scale") {
			s.Fail("config has no %q", "scale")
		}
		l := &Rescaling{Name: s.Name, Scale: float32(s.OptFloat("scale", 1)), Offset: float32(s.OptFloat("offset", 0))}
		return l, s.Err()
	})
	RegisterLayer("Normalization", normalizationFromConfig)
}

// KerasConfig returns Rescaling's scale and offset.
func (l *Rescaling) KerasConfig() map[string]any {
	return map[string]any{"scale": float64(l.Scale), "offset": float64(l.Offset)}
}

// KerasConfig returns Normalization's arguments; the statistics are its
// weights, so mean and variance are null as in an adapted Keras layer.
func (l *Normalization) KerasConfig() map[string]any {
	return map[string]any{"axis": -1, "mean": nil, "variance": nil, "invert": l.Invert}
}

// normalizationFromConfig takes mean and variance from the config when it
// has them (Keras's Normalization(mean=..., variance=...)), else leaves
// them to the weights.
func normalizationFromConfig(s *LayerSpec) (Layer, error) {
	in := s.Input(-1)
	axis := bnAxis(s)
	invert := s.OptBool("invert", false)
	var stats [2][]float32
	for i, key := range []string{"mean", "variance"} {
		if !s.Has(key) {
			continue
		}
		var v []float64
		if !s.decode(key, &v, "a list of numbers") {
			var one float64
			if s.decode(key, &one, "a number or a list of numbers") {
				v = []float64{one}
			}
		}
		for _, x := range v {
			stats[i] = append(stats[i], float32(x))
		}
	}
	if err := s.Err(); err != nil {
		return nil, err
	}
	if axis != -1 && axis != len(in) {
		s.Fail("axis = %d is not supported (want the last, -1 or %d)", axis, len(in))
		return nil, s.Err()
	}
	c := in[len(in)-1]
	if err := s.Reserve(Shape{c}, Shape{c}, Shape{1}); err != nil {
		return nil, err
	}
	for i, st := range stats {
		if len(st) == 1 && c > 1 { // a scalar applies to every channel
			for len(stats[i]) < c {
				stats[i] = append(stats[i], st[0])
			}
		}
	}
	l, err := NewNormalization(s.Name, c, stats[0], stats[1])
	if err != nil {
		return nil, err
	}
	l.Invert = invert
	return l, nil
}
