package ops

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// DOT writes the model as a Graphviz digraph in the style of Keras's
// plot_model(show_shapes=True): one record per layer, "name: Class" over its
// input and output shapes, and an edge from each layer to its consumers.
// Render it with, e.g., dot -Tsvg.
func (g *Graph) DOT(w io.Writer) error {
	if err := g.Build(); err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	name := g.Name
	if name == "" {
		name = "model"
	}
	fmt.Fprintf(bw, "digraph %q {\n", name)
	bw.WriteString("\tgraph [rankdir=TB];\n")
	bw.WriteString("\tnode [shape=record];\n")
	order := g.kerasOrder()
	for _, n := range order {
		var ins []string
		for _, in := range n.Inputs {
			ins = append(ins, in.Shape.Keras())
		}
		inLabel := n.Shape.Keras() // an input layer's input is its output
		switch len(ins) {
		case 0:
		case 1:
			inLabel = ins[0]
		default:
			inLabel = "[" + strings.Join(ins, ", ") + "]"
		}
		label := fmt.Sprintf("%s: %s|{input:|output:}|{{%s}|{%s}}", n.Name(), n.Layer.Class(), inLabel, n.Shape.Keras())
		fmt.Fprintf(bw, "\t%q [label=%q];\n", n.Name(), label)
	}
	for _, n := range order {
		for _, in := range n.Inputs {
			fmt.Fprintf(bw, "\t%q -> %q;\n", in.Name(), n.Name())
		}
	}
	bw.WriteString("}\n")
	return bw.Flush()
}
