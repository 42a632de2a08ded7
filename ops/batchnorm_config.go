package ops

import "encoding/json"

func init() { RegisterLayer("BatchNormalization", batchNormFromConfig) }

// KerasConfig returns BatchNormalization's Keras arguments.
func (l *BatchNormalization) KerasConfig() map[string]any {
	return map[string]any{
		"axis":     l.Axis,
		"momentum": float64(l.Momentum),
		"epsilon":  float64(l.Epsilon),
		"center":   true,
		"scale":    true,
	}
}

func batchNormFromConfig(s *LayerSpec) (Layer, error) {
	in := s.Input(-1)
	cfg := BatchNormConfig{
		Name:     s.Name,
		Axis:     bnAxis(s),
		Epsilon:  float32(s.OptFloat("epsilon", DefaultBNEpsilon)),
		Momentum: float32(s.OptFloat("momentum", DefaultBNMomentum)),
	}
	if !s.OptBool("center", true) || !s.OptBool("scale", true) {
		s.Fail("center=False and scale=False are not supported")
	}
	if cfg.Epsilon <= 0 {
		s.Fail("epsilon = %v, want positive", cfg.Epsilon)
	}
	if cfg.Momentum < 0 || cfg.Momentum >= 1 {
		s.Fail("momentum = %v, want in [0, 1)", cfg.Momentum)
	}
	if err := s.Err(); err != nil {
		return nil, err
	}
	if cfg.Axis != -1 && cfg.Axis != len(in) {
		s.Fail("axis = %d is not supported (want the last, -1 or %d)", cfg.Axis, len(in))
		return nil, s.Err()
	}
	c := in[len(in)-1]
	if err := s.Reserve(Shape{c}, Shape{c}, Shape{c}, Shape{c}); err != nil {
		return nil, err
	}
	return NewBatchNormalization(cfg, c)
}

// bnAxis reads "axis", which Keras writes as an integer or, from some
// versions, a one-element list.
func bnAxis(s *LayerSpec) int {
	if !s.Has("axis") {
		return -1
	}
	var list []int
	if raw := s.fields["axis"]; len(raw) > 0 && raw[0] == '[' {
		if json.Unmarshal(raw, &list) != nil || len(list) != 1 {
			s.Fail("axis = %s, want one axis", raw)
			return -1
		}
		return s.checkInt("axis", list[0])
	}
	return s.Int("axis")
}
