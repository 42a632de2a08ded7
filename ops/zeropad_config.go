package ops

import "encoding/json"

func init() { RegisterLayer("ZeroPadding2D", zeroPadFromConfig) }

// KerasConfig returns ZeroPadding2D's Keras arguments.
func (l *ZeroPadding2D) KerasConfig() map[string]any {
	return map[string]any{
		"padding":     [2][2]int{{l.Top, l.Bottom}, {l.Left, l.Right}},
		"data_format": "channels_last",
	}
}

// zeroPadFromConfig reads "padding" in any of Keras's three forms: p,
// (ph, pw) or ((top, bottom), (left, right)).
func zeroPadFromConfig(s *LayerSpec) (Layer, error) {
	s.Input(3)
	s.Want("data_format", "channels_last", "channels_last")
	l := &ZeroPadding2D{Name: s.Name}
	var nested [2][2]int
	if raw := s.fields["padding"]; len(raw) > 1 && raw[0] == '[' && json.Unmarshal(raw, &nested) == nil {
		l.Top, l.Bottom = s.checkInt("padding", nested[0][0]), s.checkInt("padding", nested[0][1])
		l.Left, l.Right = s.checkInt("padding", nested[1][0]), s.checkInt("padding", nested[1][1])
	} else {
		p := s.OptPair("padding", [2]int{1, 1})
		l.Top, l.Bottom, l.Left, l.Right = p[0], p[0], p[1], p[1]
	}
	if l.Top < 0 || l.Bottom < 0 || l.Left < 0 || l.Right < 0 {
		s.Fail("negative padding ((%d, %d), (%d, %d))", l.Top, l.Bottom, l.Left, l.Right)
	}
	if err := s.Err(); err != nil {
		return nil, err
	}
	return l, nil
}
