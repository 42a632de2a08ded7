package ops

import "slices"

// kerasOrder returns the nodes that feed the output, in the order Keras's
// Model.layers lists them (and so summary() prints them and weights are
// saved): by decreasing depth, the longest path to the output, with ties
// broken by first visit in a depth-first walk from the output that takes
// each node's inputs in order. This is a topological order, and it is why
// Keras prints a block's shortcut convolution after its main-branch
// convolution of the same depth.
func (g *Graph) kerasOrder() []*Node {
	if g.output == nil {
		return nil
	}
	visit := make([]int, len(g.nodes)) // preorder index + 1; 0 = not seen
	var post []*Node
	seen := 0
	var walk func(n *Node)
	walk = func(n *Node) {
		if visit[n.ID] != 0 {
			return
		}
		seen++
		visit[n.ID] = seen
		for _, in := range n.Inputs {
			walk(in)
		}
		post = append(post, n)
	}
	walk(g.output)

	depth := make([]int, len(g.nodes))
	for i := len(post) - 1; i >= 0; i-- { // consumers before their inputs
		n := post[i]
		for _, in := range n.Inputs {
			depth[in.ID] = max(depth[in.ID], depth[n.ID]+1)
		}
	}
	order := slices.Clone(post)
	slices.SortFunc(order, func(a, b *Node) int {
		if depth[a.ID] != depth[b.ID] {
			return depth[b.ID] - depth[a.ID]
		}
		return visit[a.ID] - visit[b.ID]
	})
	return order
}

// Layers returns the model's layers in Keras's Model.layers order: the
// order of Summary and of Keras weight files.
func (g *Graph) Layers() []Layer {
	order := g.kerasOrder()
	ls := make([]Layer, len(order))
	for i, n := range order {
		ls[i] = n.Layer
	}
	return ls
}

// NamedParam is a parameter with the name of the layer that owns it.
type NamedParam struct {
	Layer string
	*Param
}

// KerasName is the weight's full Keras name, e.g. "conv1/kernel:0".
func (p NamedParam) KerasName() string { return p.Layer + "/" + p.Name + ":0" }

// Params returns every parameter of the model, layer by layer in Layers
// order and within a layer in Keras order, as Keras's model.weights lists
// them.
func (g *Graph) Params() []NamedParam {
	var ps []NamedParam
	for _, l := range g.Layers() {
		for _, p := range l.Params() {
			ps = append(ps, NamedParam{Layer: l.LayerName(), Param: p})
		}
	}
	return ps
}

// CountParams returns the numbers of parameter values Keras's summary
// reports: total, trainable and non-trainable.
func (g *Graph) CountParams() (total, trainable, nonTrainable int) {
	for _, p := range g.Params() {
		if p.Trainable {
			trainable += p.Len()
		} else {
			nonTrainable += p.Len()
		}
	}
	return trainable + nonTrainable, trainable, nonTrainable
}
