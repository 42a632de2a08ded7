package ops

import (
	"fmt"
	"slices"
)

// Inference: a reshape leaves the row-major memory as it is.
func (l *Reshape) Inference(in ...Shape) (InferenceOp, error) {
	if _, err := l.OutputShape(in...); err != nil {
		return InferenceOp{}, err
	}
	return InferenceOp{Kind: OpSameMemory}, nil
}

// Inference: dropout is the identity in inference.
func (l *Dropout) Inference(in ...Shape) (InferenceOp, error) {
	if _, err := l.OutputShape(in...); err != nil {
		return InferenceOp{}, err
	}
	return InferenceOp{Kind: OpSameMemory}, nil
}

// Inference: Rescaling is an affine map, the same on every channel.
func (l *Rescaling) Inference(in ...Shape) (InferenceOp, error) {
	s, err := l.OutputShape(in...)
	if err != nil {
		return InferenceOp{}, err
	}
	c := s[len(s)-1]
	op := InferenceOp{Kind: OpAffine, Scale: make([]float32, c), Shift: make([]float32, c)}
	for i := range op.Scale {
		op.Scale[i], op.Shift[i] = l.Scale, l.Offset
	}
	return op, nil
}

// Inference: Normalization is a per-channel affine map.
func (l *Normalization) Inference(in ...Shape) (InferenceOp, error) {
	if _, err := l.OutputShape(in...); err != nil {
		return InferenceOp{}, err
	}
	scale, shift := l.Affine()
	return InferenceOp{Kind: OpAffine, Scale: scale, Shift: shift}, nil
}

// Inference: each channel vector normalised on its own, by the layer's
// row routine over a copy of its parameters.
func (l *LayerNormalization) Inference(in ...Shape) (InferenceOp, error) {
	s, err := l.OutputShape(in...)
	if err != nil {
		return InferenceOp{}, err
	}
	c := s[len(s)-1]
	own := *l
	for _, p := range []**Param{&own.Gamma, &own.Beta} {
		if *p != nil {
			cp := **p
			cp.Value = slices.Clone(cp.Value)
			*p = &cp
		}
	}
	return InferenceOp{Kind: OpKernel, Kernel: Kernel{What: "layer normalization", Run: func(dst []float32, src [][]float32, _ int) {
		x := src[0]
		for p := 0; p+c <= len(x); p += c {
			own.normalizeRow(dst[p:p+c], x[p:p+c])
		}
	}}}, nil
}

// Inference: the permutation as a gather, row by row of the output's last
// axis.
func (l *Permute) Inference(in ...Shape) (InferenceOp, error) {
	outShape, err := l.OutputShape(in...)
	if err != nil {
		return InferenceOp{}, err
	}
	// inStrides works on tensor shapes (with the batch axis first).
	st := l.inStrides(append(Shape{1}, in[0]...))[1:]
	rank := len(outShape)
	width, last := outShape[rank-1], st[rank-1]
	rows, sample := outShape.Len()/width, outShape.Len()
	return InferenceOp{Kind: OpKernel, Kernel: Kernel{What: fmt.Sprintf("permute %v", l.Dims), Run: func(dst []float32, src [][]float32, n int) {
		for smp := 0; smp < n; smp++ {
			x, y := src[0][smp*sample:(smp+1)*sample], dst[smp*sample:(smp+1)*sample]
			for r := 0; r < rows; r++ {
				off, rem := 0, r
				for d := rank - 2; d >= 0; d-- {
					off += (rem % outShape[d]) * st[d]
					rem /= outShape[d]
				}
				out := y[r*width : (r+1)*width]
				if last == 1 {
					copy(out, x[off:off+width])
					continue
				}
				for i := range out {
					out[i] = x[off+i*last]
				}
			}
		}
	}}}, nil
}

// Inference: a join along the last axis is one planners can lay out in
// place; any other axis is the copying kernel.
func (l *Concatenate) Inference(in ...Shape) (InferenceOp, error) {
	out, err := l.OutputShape(in...)
	if err != nil {
		return InferenceOp{}, err
	}
	a, _ := l.PerSampleAxis(len(in[0]))
	outer, inner := out[:a].Len(), out[a+1:].Len()
	runs := make([]int, len(in))
	for i, s := range in {
		runs[i] = s[a] * inner
	}
	width, sample := out[a]*inner, out.Len()
	k := Kernel{What: fmt.Sprintf("concatenate axis %d", l.Axis), Run: func(dst []float32, src [][]float32, n int) {
		for smp := 0; smp < n; smp++ {
			for o := 0; o < outer; o++ {
				d := dst[smp*sample+o*width : smp*sample+(o+1)*width]
				for i, x := range src {
					run := runs[i]
					base := smp * outer * run
					copy(d, x[base+o*run:base+(o+1)*run])
					d = d[run:]
				}
			}
		}
	}}
	if a == len(out)-1 {
		return InferenceOp{Kind: OpConcat, Kernel: k}, nil
	}
	return InferenceOp{Kind: OpKernel, Kernel: k}, nil
}
