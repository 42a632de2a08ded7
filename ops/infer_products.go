package ops

import "github.com/simdnet/simdnet/im2col"

// Inference: a convolution is patches × kernel (Keras's kernel layout
// [kh, kw, cin/groups, filters] flattened is the product's right-hand
// side), group by group; one with a group per input channel is a depthwise
// convolution, whose kernel has the same layout.
func (l *Conv2D) Inference(in ...Shape) (InferenceOp, error) {
	w, err := l.windows(in)
	if err != nil {
		return InferenceOp{}, err
	}
	s := in[0]
	groups := max(l.Groups, 1)
	if groups == s[2] && groups > 1 {
		g := DepthwiseGeometry{N: 1, H: s[0], W: s[1], C: s[2], M: l.Filters / groups,
			KH: w[0].k, KW: w[1].k, SH: w[0].stride, SW: w[1].stride, DH: w[0].dilation, DW: w[1].dilation,
			PadTop: w[0].before, PadBottom: w[0].after, PadLeft: w[1].before, PadRight: w[1].after,
			OutH: w[0].out, OutW: w[1].out}
		return InferenceOp{Kind: OpDepthwise, Depthwise: Depthwise{Geometry: g, Weights: l.Kernel.Value,
			Bias: paramValues(l.Bias), Act: l.Activation}}, nil
	}
	g := im2col.Geometry{N: 1, H: s[0], W: s[1], C: s[2], KH: w[0].k, KW: w[1].k, SH: w[0].stride, SW: w[1].stride,
		PadTop: w[0].before, PadBottom: w[0].after, PadLeft: w[1].before, PadRight: w[1].after}
	return InferenceOp{Kind: OpProduct, Product: Product{Geometry: g, Groups: groups,
		Dilation: [2]int{w[0].dilation, w[1].dilation}, Weights: l.Kernel.Value,
		Filters: l.Filters, Bias: paramValues(l.Bias), Act: l.Activation}}, nil
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

// Inference: a depthwise convolution.
func (l *DepthwiseConv2D) Inference(in ...Shape) (InferenceOp, error) {
	g, err := l.Geometry(1, in...)
	if err != nil {
		return InferenceOp{}, err
	}
	return InferenceOp{Kind: OpDepthwise, Depthwise: Depthwise{Geometry: g, Weights: l.Kernel.Value,
		Bias: paramValues(l.Bias), Act: l.Activation}}, nil
}

// paramValues is p's values, or nil for a missing parameter (no bias).
func paramValues(p *Param) []float32 {
	if p == nil {
		return nil
	}
	return p.Value
}

// InferenceChain: a depthwise convolution, then the 1×1 product with the
// layer's bias and activation.
func (l *SeparableConv2D) InferenceChain(in ...Shape) ([]InferenceOp, []Shape, error) {
	out, err := l.OutputShape(in...)
	if err != nil {
		return nil, nil, err
	}
	mid, _ := l.Depthwise.OutputShape(in...)
	dw, err := l.Depthwise.Inference(in...)
	if err != nil {
		return nil, nil, layerErr(l, "%v", err)
	}
	pw := *l.Pointwise
	pw.Activation = l.Activation // the layer's field is the one to honour
	prod, err := pw.Inference(mid)
	if err != nil {
		return nil, nil, layerErr(l, "%v", err)
	}
	return []InferenceOp{dw, prod}, []Shape{mid, out}, nil
}
