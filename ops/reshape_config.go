package ops

func init() {
	RegisterLayer("Reshape", func(s *LayerSpec) (Layer, error) {
		s.Input(-1)
		l := &Reshape{Name: s.Name, TargetShape: Shape(s.intList("target_shape"))}
		return l, s.Err()
	})
	RegisterLayer("Slice", func(s *LayerSpec) (Layer, error) {
		in := s.Input(-1)
		l := &Slice{Name: s.Name, Axis: s.Int("axis"), Start: s.Int("start"), Stop: s.Int("stop")}
		if err := s.Err(); err != nil {
			return nil, err
		}
		if in != nil {
			if _, err := l.OutputShape(in); err != nil {
				s.Fail("%v", err)
			}
		}
		return l, s.Err()
	})
	RegisterLayer("Permute", func(s *LayerSpec) (Layer, error) {
		s.Input(-1)
		l := &Permute{Name: s.Name, Dims: s.intList("dims")}
		return l, s.Err()
	})
}

// intList returns a required list of integers.
func (s *LayerSpec) intList(key string) []int {
	var v []int
	if !s.decode(key, &v, "a list of integers") {
		if !s.Has(key) {
			s.Fail("config has no %q", key)
		}
		return nil
	}
	for i := range v {
		v[i] = s.checkInt(key, v[i])
	}
	return v
}

// KerasConfig returns Reshape's target_shape.
func (l *Reshape) KerasConfig() map[string]any {
	return map[string]any{"target_shape": []int(l.TargetShape)}
}

// KerasConfig returns Permute's dims.
func (l *Permute) KerasConfig() map[string]any { return map[string]any{"dims": l.Dims} }

// KerasConfig returns Slice's axis and range.
func (l *Slice) KerasConfig() map[string]any {
	return map[string]any{"axis": l.Axis, "start": l.Start, "stop": l.Stop}
}
