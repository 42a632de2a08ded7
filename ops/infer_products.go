package ops

import (
	"slices"

	"github.com/simdnet/simdnet/im2col"
)

// Inference: a convolution is patches × kernel (Keras's kernel layout
// [kh, kw, cin, filters] flattened is the product's right-hand side).
func (l *Conv2D) Inference(in ...Shape) (InferenceOp, error) {
	g, err := l.Geometry(1, in...)
	if err != nil {
		return InferenceOp{}, err
	}
	return InferenceOp{Kind: OpProduct, Product: Product{Geometry: g, Weights: l.Kernel.Value,
		Filters: l.Filters, Bias: paramValues(l.Bias)}}, nil
}

// Inference: Dense is a 1×1 convolution over the rows of its last axis,
// however many axes come before it.
func (l *Dense) Inference(in ...Shape) (InferenceOp, error) {
	s, err := l.OutputShape(in...)
	if err != nil {
		return InferenceOp{}, err
	}
	rows := s.Len() / l.Units
	g := im2col.Geometry{N: 1, H: rows, W: 1, C: l.InFeatures(), KH: 1, KW: 1, SH: 1, SW: 1}
	return InferenceOp{Kind: OpProduct, Product: Product{Geometry: g, Weights: l.Kernel.Value,
		Filters: l.Units, Bias: paramValues(l.Bias), Act: l.Activation}}, nil
}

// Inference: until the planner has a depthwise product of its own, the
// depthwise convolution is the portable kernel of the layer itself.
func (l *DepthwiseConv2D) Inference(in ...Shape) (InferenceOp, error) {
	g, err := l.Geometry(1, in...)
	if err != nil {
		return InferenceOp{}, err
	}
	k, bias, act := slices.Clone(l.Kernel.Value), slices.Clone(paramValues(l.Bias)), l.Activation
	return InferenceOp{Kind: OpKernel, Kernel: Kernel{
		What: "depthwise conv",
		Run: func(dst []float32, src [][]float32, n int) {
			g := g
			g.N = n
			DepthwiseRows(g, dst, src[0], k, bias, 0, n*g.OutH)
			applyElementwise(act, dst, dst)
		}}}, nil
}

// paramValues is p's values, or nil for a missing parameter (no bias).
func paramValues(p *Param) []float32 {
	if p == nil {
		return nil
	}
	return p.Value
}
