package ops

func init() { RegisterLayer("Flatten", flattenFromConfig) }

// KerasConfig returns Flatten's Keras arguments.
func (l *Flatten) KerasConfig() map[string]any {
	return map[string]any{"data_format": "channels_last"}
}

func flattenFromConfig(s *LayerSpec) (Layer, error) {
	s.Input(-1)
	s.Want("data_format", "channels_last", "channels_last")
	if err := s.Err(); err != nil {
		return nil, err
	}
	return &Flatten{Name: s.Name}, nil
}
