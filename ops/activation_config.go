package ops

func init() { RegisterLayer("Activation", activationFromConfig) }

// KerasConfig returns Activation's Keras arguments.
func (l *Activation) KerasConfig() map[string]any {
	return map[string]any{"activation": l.Func.String()}
}

func activationFromConfig(s *LayerSpec) (Layer, error) {
	s.Input(-1)
	if !s.Has("activation") {
		s.Fail("config has no %q", "activation")
	}
	f := s.Activation("activation")
	if err := s.Err(); err != nil {
		return nil, err
	}
	return &Activation{Name: s.Name, Func: f}, nil
}
