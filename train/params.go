package train

import "github.com/simdnet/simdnet/ops"

// NamedParam is a parameter with the name of the layer that owns it, the
// key under which checkpoints and optimizer state store it.
type NamedParam struct {
	Layer string
	Param *ops.Param
}

// Key is the parameter's stable name, "layer/param", e.g. "conv1/kernel".
func (p NamedParam) Key() string { return p.Layer + "/" + p.Param.Name }

// Params returns every parameter of g, trainable or not, in Keras's
// model.weights order (layer by layer, and within a layer kernel, bias,
// gamma, beta, moving_mean, moving_variance).
func Params(g *ops.Graph) []NamedParam {
	src := g.Params()
	ps := make([]NamedParam, len(src))
	for i, p := range src {
		ps[i] = NamedParam{Layer: p.Layer, Param: p.Param}
	}
	return ps
}

// trainable returns the trainable subset of ps, in order.
func trainable(ps []NamedParam) []NamedParam {
	var out []NamedParam
	for _, p := range ps {
		if p.Param.Trainable {
			out = append(out, p)
		}
	}
	return out
}
