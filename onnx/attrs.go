package onnx

import (
	"fmt"

	"github.com/simdnet/simdnet/onnx/internal/onnxpb"
)

// attrs is a node's attributes by name, read with type checks.
type attrs map[string]*onnxpb.AttributeProto

func nodeAttrs(n *onnxpb.NodeProto) (attrs, error) {
	a := attrs{}
	for _, at := range n.GetAttribute() {
		if at.GetRefAttrName() != "" {
			return nil, fmt.Errorf("attribute %q refers to a function attribute", at.GetName())
		}
		if _, dup := a[at.GetName()]; dup {
			return nil, fmt.Errorf("attribute %q is given twice", at.GetName())
		}
		a[at.GetName()] = at
	}
	return a, nil
}

func (a attrs) typed(name string, want onnxpb.AttributeProto_AttributeType) (*onnxpb.AttributeProto, error) {
	at := a[name]
	if at == nil {
		return nil, nil
	}
	// Writers that predate the type field leave it UNDEFINED.
	if t := at.GetType(); t != want && t != onnxpb.AttributeProto_UNDEFINED {
		return nil, fmt.Errorf("attribute %q is %v, want %v", name, t, want)
	}
	return at, nil
}

func (a attrs) int(name string, def int64) (int64, error) {
	at, err := a.typed(name, onnxpb.AttributeProto_INT)
	if at == nil || err != nil {
		return def, err
	}
	return at.GetI(), nil
}

func (a attrs) float(name string, def float32) (float32, error) {
	at, err := a.typed(name, onnxpb.AttributeProto_FLOAT)
	if at == nil || err != nil {
		return def, err
	}
	return at.GetF(), nil
}

func (a attrs) str(name, def string) (string, error) {
	at, err := a.typed(name, onnxpb.AttributeProto_STRING)
	if at == nil || err != nil {
		return def, err
	}
	return string(at.GetS()), nil
}

// ints returns the list, or nil when the attribute is absent.
func (a attrs) ints(name string) ([]int64, error) {
	at, err := a.typed(name, onnxpb.AttributeProto_INTS)
	if at == nil || err != nil {
		return nil, err
	}
	return at.GetInts(), nil
}

func (a attrs) floats(name string) ([]float32, error) {
	at, err := a.typed(name, onnxpb.AttributeProto_FLOATS)
	if at == nil || err != nil {
		return nil, err
	}
	return at.GetFloats(), nil
}
