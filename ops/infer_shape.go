package ops

// Inference: the padding, which a planner can hand to the convolution that
// reads it.
func (l *ZeroPadding2D) Inference(in ...Shape) (InferenceOp, error) {
	if _, err := l.OutputShape(in...); err != nil {
		return InferenceOp{}, err
	}
	return InferenceOp{Kind: OpPad, Pad: [4]int{l.Top, l.Bottom, l.Left, l.Right}}, nil
}

// Inference: flattening an NHWC sample leaves its memory as it is.
func (l *Flatten) Inference(in ...Shape) (InferenceOp, error) {
	if _, err := l.OutputShape(in...); err != nil {
		return InferenceOp{}, err
	}
	return InferenceOp{Kind: OpSameMemory}, nil
}
