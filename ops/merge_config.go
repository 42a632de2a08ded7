package ops

func init() {
	merge := func(class string, make func(name string) Layer) {
		RegisterLayer(class, func(s *LayerSpec) (Layer, error) {
			if len(s.In) < 2 {
				s.Fail("has %d inputs, want at least 2", len(s.In))
			}
			if err := s.Err(); err != nil {
				return nil, err
			}
			return make(s.Name), nil
		})
	}
	merge("Multiply", func(n string) Layer { return &Multiply{Name: n} })
	merge("Subtract", func(n string) Layer { return &Subtract{Name: n} })
	merge("Maximum", func(n string) Layer { return &Maximum{Name: n} })
	merge("Minimum", func(n string) Layer { return &Minimum{Name: n} })
	merge("Average", func(n string) Layer { return &Average{Name: n} })
	RegisterLayer("Concatenate", func(s *LayerSpec) (Layer, error) {
		l := &Concatenate{Name: s.Name, Axis: s.OptInt("axis", -1)}
		if s.Has("axis") && l.Axis == 0 { // zero is the Go field's default, -1
			s.Fail("axis 0 is the batch axis, which cannot be joined")
		}
		if len(s.In) < 2 {
			s.Fail("has %d inputs, want at least 2", len(s.In))
		}
		return l, s.Err()
	})
}

// KerasConfig returns the merge layers' Keras arguments: they have none.
func (l *Multiply) KerasConfig() map[string]any { return map[string]any{} }
func (l *Subtract) KerasConfig() map[string]any { return map[string]any{} }
func (l *Maximum) KerasConfig() map[string]any  { return map[string]any{} }
func (l *Minimum) KerasConfig() map[string]any  { return map[string]any{} }
func (l *Average) KerasConfig() map[string]any  { return map[string]any{} }

// KerasConfig returns Concatenate's axis, -1 for the default.
func (l *Concatenate) KerasConfig() map[string]any {
	a := l.Axis
	if a == 0 {
		a = -1
	}
	return map[string]any{"axis": a}
}
