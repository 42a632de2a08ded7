package ops

// Inference: in inference a batch normalisation is a per-channel affine map.
func (l *BatchNormalization) Inference(in ...Shape) (InferenceOp, error) {
	if _, err := l.OutputShape(in...); err != nil {
		return InferenceOp{}, err
	}
	op := InferenceOp{Kind: OpAffine, Scale: make([]float32, l.Channels()), Shift: make([]float32, l.Channels())}
	return op, l.InferenceAffine(op.Scale, op.Shift)
}

// Inference: the layer's function.
func (l *Activation) Inference(in ...Shape) (InferenceOp, error) {
	if _, err := l.OutputShape(in...); err != nil {
		return InferenceOp{}, err
	}
	return InferenceOp{Kind: OpActivation, Act: l.Func}, nil
}

// Inference: an activation function where the configuration is one (ReLU,
// ReLU6, leaky_relu's slope), so planners fuse it; otherwise a kernel.
func (l *ReLULayer) Inference(in ...Shape) (InferenceOp, error) {
	if _, err := l.OutputShape(in...); err != nil {
		return InferenceOp{}, err
	}
	if f, ok := l.ActFunc(); ok {
		return InferenceOp{Kind: OpActivation, Act: f}, nil
	}
	r := *l // the kernel keeps its own configuration
	return InferenceOp{Kind: OpKernel, Kernel: Kernel{What: "relu (max_value, slope, threshold)",
		Run: func(dst []float32, src [][]float32, _ int) {
			d := dst[:len(src[0])]
			for i, v := range src[0] {
				d[i] = r.Value(v)
			}
		}}}, nil
}

// Inference: the ReLU layer with the same slope.
func (l *LeakyReLULayer) Inference(in ...Shape) (InferenceOp, error) {
	if _, err := l.OutputShape(in...); err != nil {
		return InferenceOp{}, err
	}
	return l.AsReLU().Inference(in...)
}
