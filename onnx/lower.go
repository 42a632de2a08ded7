package onnx

import (
	"errors"
	"fmt"
	"strings"

	"github.com/simdnet/simdnet/onnx/internal/onnxpb"
	"github.com/simdnet/simdnet/ops"
)

// value is one named tensor of the file as lowering sees it: a constant, or
// a node of the ops graph. Runtime values keep the file's shape with the
// batch axis as -1. Rank-4 values are stored NHWC: the ops node's shape is
// (H, W, C), or (C,) when H = W = 1 after a global pooling. A rank-2 value
// with chw set holds a flattened C×H×W sample in H×W×C order; the Gemm or
// MatMul that reads it permutes its weight rows to match.
type value struct {
	c      *tensor
	n      *ops.Node
	shape  []int
	chw    [3]int
	nonneg bool       // every element is ≥ 0 (after Relu, say)
	dense  *ops.Dense // the bias-free Dense that computed n, for a MatMul + Add
	broken bool       // computed by a node simdnet cannot run
	// plain marks a rank-4 value that is not an NCHW image but stored in
	// the file's own order: an image transposed to N×H×W×C, which is
	// simdnet's NHWC already (ConvNeXt's blocks work on it).
	plain bool
	// grouped marks a rank-5 N×A×B×H×W value: an image whose channel
	// axis a reshape split in two, stored as (H, W, A, B) (lower_slice.go).
	grouped bool
	// gelu is a stage of the erf form of GELU, 0.5·x·(1 + erf(x/√2)),
	// as exporters spell it out: 1 after x/√2, 2 after Erf, 3 after + 1,
	// 4 after x·(...). Such values have no node until the last Mul.
	gelu     int
	geluBase *value
	// siluBase is set on a Sigmoid(x) whose only reader is x·Sigmoid(x):
	// the value has no node, and that Mul becomes one SiLU of x, which the
	// planner fuses into the convolution before it (EfficientNet exports
	// its SiLU so).
	siluBase *value
}

func (v *value) flatCHW() bool { return v.chw != [3]int{} }

// isImage reports whether v is an N×C×H×W image, stored NHWC.
func (v *value) isImage() bool { return len(v.shape) == 4 && !v.plain }

// unsupportedErr is a node simdnet cannot run in the context it is in
// (shapes, inputs), as opposed to a malformed file.
type unsupportedErr struct{ reason string }

func (e *unsupportedErr) Error() string { return e.reason }

func unsupported(format string, args ...any) error {
	return &unsupportedErr{fmt.Sprintf(format, args...)}
}

type lowerer struct {
	file        string
	opset       int64
	opts        Options
	g           *ops.Graph
	vals        map[string]*value
	uses        map[string]int
	readers     map[string][]*onnxpb.NodeProto
	names       map[string]int
	unsupported []Unsupported
	inputName   string
	in          *value
	fileBatch   int // the input's fixed batch size in the file, or 0
}

func newLowerer(file string, opset int64, opts Options) *lowerer {
	g := ops.NewGraph(0)
	return &lowerer{file: file, opset: opset, opts: opts, g: g, vals: map[string]*value{}, uses: map[string]int{}, readers: map[string][]*onnxpb.NodeProto{}, names: map[string]int{}}
}

func (l *lowerer) countUses(n *onnxpb.NodeProto) {
	for _, in := range n.GetInput() {
		if in != "" {
			l.uses[in]++
			l.readers[in] = append(l.readers[in], n)
		}
	}
}

// layerName is the node's name made unique in the graph (ONNX names may be
// empty or repeat).
func (l *lowerer) layerName(n *onnxpb.NodeProto, suffix string) string {
	base := n.GetName()
	if base == "" {
		base = strings.ToLower(n.GetOpType())
		if len(n.GetOutput()) > 0 {
			base += "_" + n.GetOutput()[0]
		}
	}
	base += suffix
	name := base
	for l.names[name] > 0 || l.g.Node(name) != nil {
		l.names[base]++
		name = fmt.Sprintf("%s_%d", base, l.names[base])
	}
	l.names[name]++
	return name
}

// input declares the model's one input on the graph.
func (l *lowerer) input(gp *onnxpb.GraphProto) error {
	var inputs []*onnxpb.ValueInfoProto
	for _, v := range gp.GetInput() {
		if _, init := l.vals[v.GetName()]; !init {
			inputs = append(inputs, v)
		}
	}
	if len(inputs) != 1 {
		return &Error{File: l.file, Msg: fmt.Sprintf("the graph has %d inputs besides its initializers, want 1", len(inputs))}
	}
	v := inputs[0]
	ref := fmt.Sprintf("input %q", v.GetName())
	tt := v.GetType().GetTensorType()
	if tt == nil || tt.GetElemType() != dtFloat {
		return &Error{File: l.file, Node: ref, Msg: "is not a float32 tensor"}
	}
	dims := tt.GetShape().GetDim()
	if len(dims) < 2 {
		return &Error{File: l.file, Node: ref, Msg: fmt.Sprintf("has rank %d; want a batch axis and at least one more", len(dims))}
	}
	if o := l.opts.InputShape; o != nil && len(o) != len(dims)-1 {
		return &Error{File: l.file, Node: ref, Msg: fmt.Sprintf("has rank %d, but Options.InputShape %v has %d axes besides the batch", len(dims), o, len(o))}
	}
	if d := dims[0]; d.GetDimParam() == "" && d.GetDimValue() > 0 {
		l.fileBatch = int(min(d.GetDimValue(), 1<<31))
	}
	shape := []int{-1}
	elems := 1
	for k, d := range dims[1:] {
		n := d.GetDimValue()
		if l.opts.InputShape != nil {
			n = int64(l.opts.InputShape[k])
		}
		if n < 1 || n > MaxDim {
			return &Error{File: l.file, Node: ref, Msg: fmt.Sprintf("axis %d is %q (%d); want a size from 1 to %d (set Options.InputShape)", k+1, d.GetDimParam(), n, MaxDim)}
		}
		shape = append(shape, int(n))
		if elems *= int(n); elems > MaxSampleElements {
			return &Error{File: l.file, Node: ref, Msg: fmt.Sprintf("a sample holds more than %d elements", MaxSampleElements)}
		}
	}
	per := shape[1:]
	if len(shape) == 4 { // NCHW in the file, NHWC in the graph
		per = []int{shape[2], shape[3], shape[1]}
	}
	node := l.g.Input(v.GetName(), per...)
	if err := l.g.Err(); err != nil {
		return &Error{File: l.file, Node: ref, Msg: err.Error()}
	}
	l.inputName = v.GetName()
	l.in = &value{n: node, shape: shape}
	l.vals[v.GetName()] = l.in
	return nil
}

// node lowers one node, folding it when its inputs are constants.
func (l *lowerer) node(n *onnxpb.NodeProto) error {
	ref := nodeRef(n.GetName(), n.GetOpType())
	a, err := nodeAttrs(n)
	if err != nil {
		return &Error{File: l.file, Node: ref, Msg: err.Error()}
	}
	in := make([]*value, len(n.GetInput()))
	allConst, broken := true, false
	for k, name := range n.GetInput() {
		if name == "" {
			continue
		}
		v := l.vals[name]
		if v == nil {
			return &Error{File: l.file, Node: ref, Msg: fmt.Sprintf("input %q is not defined before the node", name)}
		}
		in[k] = v
		allConst = allConst && v.c != nil
		broken = broken || v.broken
	}
	if len(n.GetOutput()) == 0 || n.GetOutput()[0] == "" {
		return &Error{File: l.file, Node: ref, Msg: "has no output"}
	}
	if broken {
		return l.define(n, &value{broken: true})
	}
	if v, err := l.geluStep(n, in); v != nil || err != nil {
		var ue *unsupportedErr
		if errors.As(err, &ue) {
			l.unsupported = append(l.unsupported, Unsupported{Node: n.GetName(), OpType: n.GetOpType(), Opset: l.opset, Reason: ue.reason})
			return l.define(n, &value{broken: true})
		}
		if err != nil {
			return &Error{File: l.file, Node: ref, Msg: err.Error()}
		}
		return l.define(n, v)
	}
	if n.GetOpType() == "Split" && !allConst {
		outs, err := l.split(n, a, in)
		var ue *unsupportedErr
		switch {
		case errors.As(err, &ue):
			l.unsupported = append(l.unsupported, Unsupported{Node: n.GetName(), OpType: n.GetOpType(), Opset: l.opset, Reason: ue.reason})
			return l.define(n, &value{broken: true})
		case err != nil:
			return &Error{File: l.file, Node: ref, Msg: err.Error()}
		}
		return l.defineEach(n, outs)
	}
	if v := l.siluStep(n, in); v != nil {
		return l.define(n, v)
	}
	var out *value
	switch {
	case n.GetOpType() == "Constant":
		var t *tensor
		if t, err = constantValue(a); err == nil {
			out = &value{c: t}
		}
	case n.GetOpType() == "Shape" && in[0] != nil && in[0].c == nil:
		out, err = l.shapeOf(in[0], a)
	case allConst && foldable[n.GetOpType()]:
		consts := make([]*tensor, len(in))
		for k, v := range in {
			if v != nil {
				consts[k] = v.c
			}
		}
		var t *tensor
		if t, err = fold(n.GetOpType(), a, consts, l.opset); err == nil {
			out = &value{c: t}
		}
	default:
		out, err = l.lowerOp(n, a, in)
	}
	var ue *unsupportedErr
	switch {
	case errors.As(err, &ue):
		l.unsupported = append(l.unsupported, Unsupported{Node: n.GetName(), OpType: n.GetOpType(), Opset: l.opset, Reason: ue.reason})
		return l.define(n, &value{broken: true})
	case err != nil:
		return &Error{File: l.file, Node: ref, Msg: err.Error()}
	}
	if out.n != nil {
		if gerr := l.g.Err(); gerr != nil {
			return &Error{File: l.file, Node: ref, Msg: gerr.Error()}
		}
		if len(out.shape) > 1 && sampleLen(out.shape) > MaxSampleElements {
			return &Error{File: l.file, Node: ref, Msg: fmt.Sprintf("output shape %v exceeds %d elements a sample", out.shape, MaxSampleElements)}
		}
	}
	return l.define(n, out)
}

func sampleLen(shape []int) int {
	n := 1
	for _, d := range shape[1:] {
		if n > MaxSampleElements/max(d, 1) {
			return MaxSampleElements + 1
		}
		n *= d
	}
	return n
}

// define binds a node's first output; its other outputs (Dropout's mask,
// MaxPool's indices, BatchNormalization's statistics) must be unused.
func (l *lowerer) define(n *onnxpb.NodeProto, v *value) error {
	for k, o := range n.GetOutput() {
		if o == "" {
			continue
		}
		if k > 0 && l.uses[o] > 0 && !v.broken {
			return &Error{File: l.file, Node: nodeRef(n.GetName(), n.GetOpType()), Msg: fmt.Sprintf("output %d (%q) is read, but simdnet computes only the first", k, o)}
		}
		if _, dup := l.vals[o]; dup {
			return &Error{File: l.file, Node: nodeRef(n.GetName(), n.GetOpType()), Msg: fmt.Sprintf("output %q is already defined", o)}
		}
		l.vals[o] = v
	}
	return nil
}

// defineEach binds each output of a node with several (Split) to its own
// value.
func (l *lowerer) defineEach(n *onnxpb.NodeProto, vals []*value) error {
	for k, o := range n.GetOutput() {
		if o == "" {
			continue
		}
		if _, dup := l.vals[o]; dup {
			return &Error{File: l.file, Node: nodeRef(n.GetName(), n.GetOpType()), Msg: fmt.Sprintf("output %q is already defined", o)}
		}
		l.vals[o] = vals[k]
	}
	return nil
}

// constantValue is a Constant node's value.
func constantValue(a attrs) (*tensor, error) {
	if at, err := a.typed("value", onnxpb.AttributeProto_TENSOR); err != nil {
		return nil, err
	} else if at != nil {
		return decodeTensor(at.GetT(), noExternal)
	}
	if at, err := a.typed("value_float", onnxpb.AttributeProto_FLOAT); err != nil || at != nil {
		return &tensor{dims: []int{}, f: []float32{at.GetF()}}, err
	}
	if at, err := a.typed("value_int", onnxpb.AttributeProto_INT); err != nil || at != nil {
		return scalarInt(at.GetI()), err
	}
	if at, err := a.typed("value_floats", onnxpb.AttributeProto_FLOATS); err != nil || at != nil {
		return &tensor{dims: []int{len(at.GetFloats())}, f: at.GetFloats()}, err
	}
	if at, err := a.typed("value_ints", onnxpb.AttributeProto_INTS); err != nil || at != nil {
		return &tensor{dims: []int{len(at.GetInts())}, isInt: true, i: at.GetInts()}, err
	}
	return nil, errors.New("has no value")
}

// shapeOf is Shape of a runtime value: its file shape with the batch
// symbolic.
func (l *lowerer) shapeOf(v *value, a attrs) (*value, error) {
	r := int64(len(v.shape))
	start, err := a.int("start", 0)
	if err != nil {
		return nil, err
	}
	end, err := a.int("end", r)
	if err != nil {
		return nil, err
	}
	if start < 0 {
		start += r
	}
	if end < 0 {
		end += r
	}
	start, end = min(max(start, 0), r), min(max(end, 0), r)
	t := &tensor{dims: []int{int(max(end-start, 0))}, isInt: true}
	for k := start; k < end; k++ {
		d := int64(v.shape[k])
		if k == 0 {
			d = symBatch
		}
		t.i = append(t.i, d)
	}
	return &value{c: t}, nil
}
