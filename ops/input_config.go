package ops

func init() { RegisterLayer("InputLayer", inputFromConfig) }

// KerasConfig returns InputLayer's Keras arguments: the batch input shape
// with the batch dimension null.
func (l *Input) KerasConfig() map[string]any {
	shape := make([]any, 0, len(l.Shape)+1)
	shape = append(shape, nil)
	for _, d := range l.Shape {
		shape = append(shape, d)
	}
	return map[string]any{"batch_input_shape": shape, "dtype": "float32", "sparse": false}
}

// inputFromConfig reads batch_input_shape (Keras 2) or batch_shape
// (Keras 3). The batch dimension must be null or a number; every other
// dimension must be known.
func inputFromConfig(s *LayerSpec) (Layer, error) {
	if len(s.In) != 0 {
		s.Fail("has %d inputs, want none", len(s.In))
	}
	key := "batch_input_shape"
	if !s.Has(key) {
		key = "batch_shape"
	}
	var dims []*int
	if !s.decode(key, &dims, "a list of dimensions") {
		if !s.Has(key) {
			s.Fail("config has no batch_input_shape or batch_shape")
		}
		return nil, s.Err()
	}
	if len(dims) < 2 {
		s.Fail("%s has %d dimensions, want the batch and at least one more", key, len(dims))
		return nil, s.Err()
	}
	shape := make(Shape, len(dims)-1)
	for i, d := range dims[1:] {
		if d == nil || *d < 1 || *d > MaxConfigInt {
			s.Fail("%s: dimension %d is unknown or not positive; a model file needs a fixed input shape", key, i+1)
			return nil, s.Err()
		}
		shape[i] = *d
	}
	s.Want("dtype", "float32", "float32")
	if err := s.Err(); err != nil {
		return nil, err
	}
	return &Input{Name: s.Name, Shape: shape}, nil
}
