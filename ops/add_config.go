package ops

func init() { RegisterLayer("Add", addFromConfig) }

// KerasConfig returns Add's Keras arguments: it has none.
func (l *Add) KerasConfig() map[string]any { return map[string]any{} }

func addFromConfig(s *LayerSpec) (Layer, error) {
	if len(s.In) < 2 {
		s.Fail("has %d inputs, want at least 2", len(s.In))
	}
	if err := s.Err(); err != nil {
		return nil, err
	}
	return &Add{Name: s.Name}, nil
}
