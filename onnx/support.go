package onnx

import (
	"fmt"
	"slices"
	"strings"

	"github.com/simdnet/simdnet/onnx/internal/onnxpb"
)

// The opsets of the default ONNX domain simdnet reads.
const (
	MinOpset = 11
	MaxOpset = 18
)

// opSpec is what simdnet accepts of one operator: its attributes, and a
// check of their values that needs no shapes (nil: any value).
type opSpec struct {
	attrs string
	check func(a attrs, opset int64) string
}

var operators = map[string]opSpec{
	"Conv":               {"auto_pad dilations group kernel_shape pads strides", checkConv},
	"BatchNormalization": {"epsilon momentum training_mode spatial", checkBatchNorm},
	"Relu":               {"", nil},
	"Clip":               {"min max", nil},
	"LeakyRelu":          {"alpha", nil},
	"Sigmoid":            {"", nil},
	"Tanh":               {"", nil},
	"HardSigmoid":        {"alpha beta", nil},
	"HardSwish":          {"", nil},
	"ReduceMean":         {"axes keepdims noop_with_empty_axes", nil},
	"ReduceMax":          {"axes keepdims noop_with_empty_axes", nil},
	"Add":                {"", nil},
	"Sub":                {"", nil},
	"Mul":                {"", nil},
	"Div":                {"", nil},
	"MaxPool":            {"auto_pad ceil_mode dilations kernel_shape pads storage_order strides", checkPool},
	"AveragePool":        {"auto_pad ceil_mode count_include_pad kernel_shape pads strides", checkPool},
	"GlobalAveragePool":  {"", nil},
	"GlobalMaxPool":      {"", nil},
	"Flatten":            {"axis", nil},
	"Gemm":               {"alpha beta transA transB", checkGemm},
	"MatMul":             {"", nil},
	"Softmax":            {"axis", nil},
	"Identity":           {"", nil},
	"Dropout":            {"ratio seed", nil},
	"Constant":           {"value value_float value_floats value_int value_ints", nil},
	"ConstantOfShape":    {"value", nil},
	"Shape":              {"start end", nil},
	"Gather":             {"axis", nil},
	"Cast":               {"to saturate", nil},
	"Reshape":            {"allowzero", nil},
	"Unsqueeze":          {"axes", nil},
	"Squeeze":            {"axes", nil},
	"Concat":             {"axis", nil},
	"Slice":              {"", nil},
	"Split":              {"axis split num_outputs", nil},
	"Pad":                {"mode pads value", checkPad},
	"Transpose":          {"perm", nil},
	"LayerNormalization": {"axis epsilon stash_type", nil},
	"Erf":                {"", nil},
}

// SupportedOperators lists the operators of the default domain that Load
// accepts (some only in the forms their documentation in lower.go gives).
func SupportedOperators() []string {
	out := make([]string, 0, len(operators))
	for op := range operators {
		out = append(out, op)
	}
	slices.Sort(out)
	return out
}

func allOnes(v []int64) bool {
	for _, x := range v {
		if x != 1 {
			return false
		}
	}
	return true
}

func checkConv(a attrs, _ int64) string {
	if ks, _ := a.ints("kernel_shape"); ks != nil && len(ks) != 2 {
		return fmt.Sprintf("kernel_shape %v (only 2-D convolutions are supported)", ks)
	}
	return checkAutoPad(a)
}

func checkAutoPad(a attrs) string {
	switch p, _ := a.str("auto_pad", "NOTSET"); p {
	case "NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER":
		return ""
	default:
		return fmt.Sprintf("auto_pad %q", p)
	}
}

func checkPool(a attrs, _ int64) string {
	if d, _ := a.ints("dilations"); !allOnes(d) {
		return fmt.Sprintf("dilations %v (only 1 is supported)", d)
	}
	if s, _ := a.int("storage_order", 0); s != 0 {
		return "storage_order 1 (column-major indices)"
	}
	if ks, _ := a.ints("kernel_shape"); len(ks) != 2 {
		return fmt.Sprintf("kernel_shape %v (only 2-D pooling is supported)", ks)
	}
	return checkAutoPad(a)
}

func checkBatchNorm(a attrs, _ int64) string {
	if t, _ := a.int("training_mode", 0); t != 0 {
		return "training_mode 1 (only inference is supported)"
	}
	if s, _ := a.int("spatial", 1); s != 1 {
		return "spatial 0"
	}
	return ""
}

func checkPad(a attrs, _ int64) string {
	if m, _ := a.str("mode", "constant"); m != "constant" {
		return fmt.Sprintf("mode %q (only constant padding is supported)", m)
	}
	return ""
}

func checkGemm(a attrs, _ int64) string {
	if t, _ := a.int("transA", 0); t != 0 {
		return "transA 1"
	}
	return ""
}

// checkOperators returns every node whose operator, domain or attributes
// simdnet does not run, before any weight is decoded.
func checkOperators(nodes []*onnxpb.NodeProto, opset int64) []Unsupported {
	var out []Unsupported
	for _, n := range nodes {
		u := Unsupported{Node: n.GetName(), OpType: n.GetOpType(), Domain: n.GetDomain(), Opset: opset}
		spec, ok := operators[n.GetOpType()]
		switch {
		case n.GetDomain() != "" && n.GetDomain() != "ai.onnx":
			u.Reason = fmt.Sprintf("domain %q is not supported", n.GetDomain())
		case !ok:
			u.Reason = "operator not supported"
		default:
			u.Reason = checkAttrs(n, spec, opset)
		}
		if u.Reason != "" {
			out = append(out, u)
		}
	}
	return out
}

func checkAttrs(n *onnxpb.NodeProto, spec opSpec, opset int64) string {
	a, err := nodeAttrs(n)
	if err != nil {
		return err.Error()
	}
	allowed := strings.Fields(spec.attrs)
	var unknown []string
	for name := range a {
		if !slices.Contains(allowed, name) {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return fmt.Sprintf("attribute(s) %s not supported", strings.Join(unknown, ", "))
	}
	if spec.check != nil {
		return spec.check(a, opset)
	}
	return ""
}
