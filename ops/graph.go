package ops

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// Node is one layer applied to the outputs of earlier nodes: a vertex of a
// Graph. Its fields are set by the Graph and read-only for everyone else.
type Node struct {
	ID     int     // position in creation order, which is topological
	Layer  Layer   // the layer, with its configuration and weights
	Inputs []*Node // in the order the layer takes them
	Shape  Shape   // per-sample output shape (no batch dimension)
}

// Name is the node's layer name.
func (n *Node) Name() string { return n.Layer.LayerName() }

// Graph builds and runs a model the way Keras's functional API does: each
// builder method applies a new layer to nodes and returns the output node,
//
//	g := ops.NewGraph(0)
//	x := g.Input("", 64, 64, 3)
//	x = g.Conv2D(x, ops.Conv2DConfig{Name: "conv1", Filters: 64, KernelSize: [2]int{7, 7}, Strides: [2]int{2, 2}})
//	x = g.Activation(x, ops.ReLU)
//	g.SetOutput(x)
//	err := g.Build()
//
// A builder call that fails records its error and returns nil; calls on a
// nil node return nil without adding errors, so model code reads straight
// through and Build (or Err) reports what went wrong. Layers without a name
// get Keras's automatic ones: activation_1, add_1, max_pooling2d_1, ...
//
// Weights are initialised as the layers are created, the layer at creation
// index i drawing from LayerRNG(seed, i), so one seed always gives one model.
// A Graph has one input and one output.
type Graph struct {
	// Name is the model name, as Keras's Model(name=...); Summary and DOT
	// print it.
	Name string

	seed   uint64
	nodes  []*Node
	byName map[string]*Node
	uids   map[string]int
	input  *Node
	output *Node
	errs   []error
}

// NewGraph returns an empty graph whose layers draw their initial weights
// from seed.
func NewGraph(seed uint64) *Graph {
	return &Graph{seed: seed, byName: map[string]*Node{}, uids: map[string]int{}}
}

// Seed is the seed the layers' initial weights were drawn from.
func (g *Graph) Seed() uint64 { return g.seed }

// Err returns the errors recorded so far, joined, or nil.
func (g *Graph) Err() error { return errors.Join(g.errs...) }

func (g *Graph) fail(err error) *Node {
	g.errs = append(g.errs, err)
	return nil
}

// Build reports whether the graph describes a model: no builder call failed
// and both the input and the output are set.
func (g *Graph) Build() error {
	if err := g.Err(); err != nil {
		return err
	}
	switch {
	case g.input == nil:
		return errors.New("ops: graph has no input; call Input")
	case g.output == nil:
		return errors.New("ops: graph has no output; call SetOutput")
	}
	return nil
}

// SetOutput marks x as the model's output.
func (g *Graph) SetOutput(x *Node) {
	if x == nil {
		if len(g.errs) == 0 {
			g.fail(errors.New("ops: SetOutput(nil)"))
		}
		return
	}
	if !g.owns(x) {
		g.fail(fmt.Errorf("ops: SetOutput: node %q is not in this graph", x.Name()))
		return
	}
	g.output = x
}

// InputNode and OutputNode return the model's input and output nodes.
func (g *Graph) InputNode() *Node  { return g.input }
func (g *Graph) OutputNode() *Node { return g.output }

// Nodes returns every node in creation order (a topological order).
func (g *Graph) Nodes() []*Node { return append([]*Node(nil), g.nodes...) }

// Node returns the node of the named layer, or nil.
func (g *Graph) Node(name string) *Node { return g.byName[name] }

// Layer returns the named layer, or nil.
func (g *Graph) Layer(name string) Layer {
	if n := g.byName[name]; n != nil {
		return n.Layer
	}
	return nil
}

func (g *Graph) owns(n *Node) bool { return n.ID < len(g.nodes) && g.nodes[n.ID] == n }

// Input declares the model's input with a per-sample shape such as
// (64, 64, 3). An empty name becomes input_1, as in Keras.
func (g *Graph) Input(name string, shape ...int) *Node {
	if g.input != nil {
		return g.fail(fmt.Errorf("ops: Input %q: the graph already has input %q", name, g.input.Name()))
	}
	if name == "" {
		name = g.autoName("input")
	}
	n := g.add(&Input{Name: name, Shape: Shape(shape).Clone()}, nil)
	g.input = n
	return n
}

// Apply adds a layer built elsewhere, e.g. with one of the New functions,
// on the given inputs. The layer must have a name unique in the graph.
func (g *Graph) Apply(l Layer, in ...*Node) *Node {
	if g.missing(l.Class(), in...) {
		return nil
	}
	if len(in) == 0 {
		return g.fail(layerErr(l, "no inputs"))
	}
	if _, ok := l.(*Input); ok {
		return g.fail(layerErr(l, "add inputs with Graph.Input"))
	}
	return g.add(l, in)
}

// add checks the layer against its inputs and appends its node.
func (g *Graph) add(l Layer, in []*Node) *Node {
	name := l.LayerName()
	switch {
	case name == "":
		return g.fail(fmt.Errorf("ops: a %s layer has no name", l.Class()))
	case g.byName[name] != nil:
		return g.fail(fmt.Errorf("ops: layer name %q is used twice", name))
	}
	shapes := make([]Shape, len(in))
	for i, x := range in {
		if !g.owns(x) {
			return g.fail(layerErr(l, "input %q is not in this graph", x.Name()))
		}
		shapes[i] = x.Shape
	}
	s, err := l.OutputShape(shapes...)
	if err != nil {
		return g.fail(err)
	}
	n := &Node{ID: len(g.nodes), Layer: l, Inputs: append([]*Node(nil), in...), Shape: s}
	g.nodes = append(g.nodes, n)
	g.byName[name] = n
	return n
}

// autoName returns Keras's next automatic name for a prefix: prefix_1,
// prefix_2, ..., skipping names already taken.
func (g *Graph) autoName(prefix string) string {
	for {
		g.uids[prefix]++
		name := fmt.Sprintf("%s_%d", prefix, g.uids[prefix])
		if g.byName[name] == nil {
			return name
		}
	}
}

var (
	snakeWord  = regexp.MustCompile(`(.)([A-Z][a-z0-9]+)`)
	snakeUpper = regexp.MustCompile(`([a-z])([A-Z])`)
)

// snakeCase turns a Keras class name into its automatic-name prefix as
// Keras does: MaxPooling2D -> max_pooling2d, BatchNormalization ->
// batch_normalization.
func snakeCase(class string) string {
	s := snakeWord.ReplaceAllString(class, "${1}_${2}")
	return strings.ToLower(snakeUpper.ReplaceAllString(s, "${1}_${2}"))
}

// named returns name, or the next automatic name for the class.
func (g *Graph) named(name, class string) string {
	if name != "" {
		return name
	}
	return g.autoName(snakeCase(class))
}

// channels returns x's last dimension, the layer's input channels.
func channels(x *Node) int { return x.Shape[len(x.Shape)-1] }
