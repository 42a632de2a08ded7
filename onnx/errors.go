package onnx

import (
	"fmt"
	"strings"
)

// Error is a problem with one ONNX file: File names it, Node the node (or
// initializer, input or output) at fault where there is one.
type Error struct {
	File string
	Node string // "node \"conv1\" (Conv)", "initializer \"fc.weight\"", ...; may be empty
	Msg  string
}

func (e *Error) Error() string {
	if e.Node == "" {
		return fmt.Sprintf("onnx: %s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("onnx: %s: %s: %s", e.File, e.Node, e.Msg)
}

// Unsupported is one node simdnet cannot run.
type Unsupported struct {
	Node   string // node name (ONNX's may be empty)
	OpType string
	Domain string
	Opset  int64
	Reason string
}

// UnsupportedError lists every node of a file that simdnet cannot run.
type UnsupportedError struct {
	File  string
	Nodes []Unsupported
}

func (e *UnsupportedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "onnx: %s: %d node(s) simdnet cannot run:", e.File, len(e.Nodes))
	for _, u := range e.Nodes {
		op := u.OpType
		if u.Domain != "" && u.Domain != "ai.onnx" {
			op = u.Domain + "." + op
		}
		fmt.Fprintf(&b, "\n\tnode %q (%s, opset %d): %s", u.Node, op, u.Opset, u.Reason)
	}
	return b.String()
}

// nodeRef names a node for errors: its name and operator.
func nodeRef(name, op string) string { return fmt.Sprintf("node %q (%s)", name, op) }
