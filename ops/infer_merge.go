package ops

// Inference: a sum of equal shapes is one a planner can fuse as a residual;
// otherwise the broadcasting kernel.
func (l *Add) Inference(in ...Shape) (InferenceOp, error) {
	return mergeInference(l, mergeAdd, in)
}

// Inference: a channel scale (squeeze-and-excitation) where the second
// input is one factor per channel, otherwise the broadcasting kernel.
func (l *Multiply) Inference(in ...Shape) (InferenceOp, error) {
	return mergeInference(l, mergeMultiply, in)
}

// Inference: the broadcasting kernel.
func (l *Subtract) Inference(in ...Shape) (InferenceOp, error) {
	return mergeInference(l, mergeSubtract, in)
}

// Inference: the broadcasting kernel.
func (l *Maximum) Inference(in ...Shape) (InferenceOp, error) {
	return mergeInference(l, mergeMaximum, in)
}

// Inference: the broadcasting kernel.
func (l *Minimum) Inference(in ...Shape) (InferenceOp, error) {
	return mergeInference(l, mergeMinimum, in)
}

// Inference: the broadcasting kernel.
func (l *Average) Inference(in ...Shape) (InferenceOp, error) {
	return mergeInference(l, mergeAverage, in)
}

var mergeNames = [...]string{mergeAdd: "add", mergeMultiply: "multiply", mergeSubtract: "subtract",
	mergeMaximum: "maximum", mergeMinimum: "minimum", mergeAverage: "average"}

func mergeInference(l Layer, op mergeOp, in []Shape) (InferenceOp, error) {
	out, err := mergeShape(l, op, in)
	if err != nil {
		return InferenceOp{}, err
	}
	same := true
	for _, s := range in {
		same = same && s.Equal(out)
	}
	k := mergeKernel(op, out, in)
	switch {
	case same && op == mergeAdd:
		return InferenceOp{Kind: OpSum}, nil
	case op == mergeMultiply && len(in) == 2 && len(out) == 3 && in[0].Equal(out) && in[1].Equal(Shape{1, 1, out[2]}):
		return InferenceOp{Kind: OpChannelScale, Kernel: k}, nil
	}
	return InferenceOp{Kind: OpKernel, Kernel: k}, nil
}

// mergeKernel combines n samples element by element, row by row of the
// last axis with each input broadcast where its dimension is 1, as
// mergeForward does, on the calling goroutine.
func mergeKernel(op mergeOp, out Shape, in []Shape) Kernel {
	bi := NewBroadcastIndex(out, in)
	width := 1
	if len(out) > 0 {
		width = out[len(out)-1]
	}
	rows, sample := bi.Rows(), out.Len()
	scale := float32(1)
	if op == mergeAverage {
		scale = 1 / float32(len(in))
	}
	what := mergeNames[op]
	if len(in) > 0 {
		for _, s := range in {
			if !s.Equal(out) {
				what += " (broadcast)"
				break
			}
		}
	}
	return Kernel{What: what, Run: func(dst []float32, src [][]float32, n int) {
		for r := 0; r < n*rows; r++ {
			smp, rr := r/rows, r%rows
			mergeRow(op, bi, dst[smp*sample+rr*width:smp*sample+(rr+1)*width], src, smp, rr, scale)
		}
	}}
}
