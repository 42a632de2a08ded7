// Package export writes simdnet networks (an ops.Graph, as a model file
// holds it) as ONNX files that ONNX Runtime, PyTorch's tools and simdnet's
// own reader (package onnx) run with the same outputs.
//
//	m, err := weights.Load("signs.safetensors")
//	data, err := export.Marshal(m.Graph, export.Options{})
//
// # Layout
//
// simdnet's images are NHWC; ONNX's are NCHW. The file's input is
// N×C×H×W (the batch axis symbolic, "N"), every image inside it is NCHW,
// and the weights are transposed once, here: a Conv2D kernel
// kH×kW×I×O becomes O×I×kH×kW. A Flatten of an H×W×C feature map keeps
// simdnet's meaning: the Dense after it gets its rows permuted to the
// C×H×W order ONNX's Flatten gives, so that no Transpose runs; a Flatten
// whose result is used otherwise (the graph's output, an elementwise
// layer) is a Transpose to NHWC and a Flatten. Tensors of other ranks keep
// their order.
//
// # Layers
//
// InputLayer; Conv2D (groups, strides, dilation, valid/same padding as
// explicit pads) and DepthwiseConv2D (a Conv with group = channels) and
// SeparableConv2D (the two), with their fused activation;
// BatchNormalization (a BatchNormalization node, or folded into the
// convolution before it with Options.FoldBatchNorm); Activation and the
// activations layers fuse (ReLU, ReLU6 as Clip, leaky_relu, sigmoid, tanh,
// the hard sigmoids, hard_swish and swish as products with a sigmoid,
// GELU in its erf form, softmax); ReLU (max_value, negative_slope without
// a threshold) and LeakyReLU; MaxPooling2D and AveragePooling2D (same or
// explicit padding, ceil mode, count_include_pad); ZeroPadding2D as Pad;
// GlobalAveragePooling2D and GlobalMaxPooling2D; Flatten; Dense as Gemm
// (on an image's channels, as a 1×1 Conv); LayerNormalization over the
// last axis (opset 17 and later);
// Add, Subtract, Multiply (broadcasting a (1, 1, C) tensor, as
// squeeze-and-excitation does); Concatenate; Rescaling; Dropout and
// SpatialDropout2D (removed). A graph with any other layer gives an *Error
// naming it before anything is written.
//
// The file uses opset 13 (Options.Opset: 13 to 18, whose operators these
// are unchanged in) and only operators package onnx reads back.
package export

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"

	"google.golang.org/protobuf/proto"

	"github.com/simdnet/simdnet/onnx/internal/onnxpb"
	"github.com/simdnet/simdnet/ops"
)

// Options tunes Marshal.
type Options struct {
	// Opset is the default domain's version, 13 (the default) to 18.
	Opset int
	// FoldBatchNorm folds each BatchNormalization into the convolution
	// before it, where that convolution feeds nothing else and has no
	// activation of its own, instead of writing a BatchNormalization node.
	FoldBatchNorm bool
	// InputName and OutputName name the graph's input and output; "input"
	// and "output" when empty.
	InputName, OutputName string
	// Producer is the file's producer_name; "simdnet" when empty.
	Producer string
	// Logits leaves out the output layer's softmax (a Dense's activation
	// or an Activation layer), as plan.Options.Logits does, so the file
	// gives the logits.
	Logits bool
}

// Error is what Marshal returns for a graph it cannot write.
type Error struct {
	Layer, Class string // the layer at fault, when there is one
	Msg          string
}

func (e *Error) Error() string {
	if e.Layer != "" {
		return fmt.Sprintf("onnx export: layer %q (%s): %s", e.Layer, e.Class, e.Msg)
	}
	return "onnx export: " + e.Msg
}

// value is the ONNX tensor that holds one simdnet node's output.
type value struct {
	name string
	// chw is set when the tensor is a flattened H×W×C image in ONNX's
	// C×H×W order (a Flatten whose consumers permute for it): C, H, W.
	chw [3]int
	// hwc is the same flattening in simdnet's order, made on demand.
	hwc string
}

type exporter struct {
	opts  Options
	g     *ops.Graph
	nodes []*onnxpb.NodeProto
	inits []*onnxpb.TensorProto
	vals  map[*ops.Node]*value
	users map[*ops.Node][]*ops.Node
	done  map[*ops.Node]bool // folded into an earlier node
	names map[string]bool
}

// Marshal writes g as a serialised ONNX ModelProto.
func Marshal(g *ops.Graph, opts Options) ([]byte, error) {
	m, err := build(g, opts)
	if err != nil {
		return nil, err
	}
	data, err := proto.Marshal(m)
	if err != nil {
		return nil, &Error{Msg: err.Error()}
	}
	return data, nil
}

// WriteFile writes g as an ONNX file at path (see Marshal), through a
// temporary file renamed into place, so a failure leaves no partial file.
func WriteFile(path string, g *ops.Graph, opts Options) error {
	data, err := Marshal(g, opts)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".onnx-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func build(g *ops.Graph, opts Options) (*onnxpb.ModelProto, error) {
	if opts.Opset == 0 {
		opts.Opset = 13
	}
	if opts.Opset < 13 || opts.Opset > 18 {
		return nil, &Error{Msg: fmt.Sprintf("opset %d: want 13 to 18", opts.Opset)}
	}
	if opts.InputName == "" {
		opts.InputName = "input"
	}
	if opts.OutputName == "" {
		opts.OutputName = "output"
	}
	if opts.Producer == "" {
		opts.Producer = "simdnet"
	}
	if g == nil || g.InputNode() == nil || g.OutputNode() == nil {
		return nil, &Error{Msg: "the graph has no input or output (was it built?)"}
	}
	if err := g.Err(); err != nil {
		return nil, &Error{Msg: err.Error()}
	}
	e := &exporter{opts: opts, g: g, vals: map[*ops.Node]*value{}, users: map[*ops.Node][]*ops.Node{},
		done: map[*ops.Node]bool{}, names: map[string]bool{opts.InputName: true, opts.OutputName: true}}
	for _, n := range g.Nodes() {
		for _, in := range n.Inputs {
			e.users[in] = append(e.users[in], n)
		}
	}
	for _, n := range g.Nodes() {
		if e.done[n] {
			continue
		}
		if err := e.node(n); err != nil {
			return nil, err
		}
	}
	out := g.OutputNode()
	outName, err := e.hwcName(out)
	if err != nil {
		return nil, err
	}
	e.rename(outName, opts.OutputName)
	in := g.InputNode()
	gp := &onnxpb.GraphProto{
		Name:        proto.String(graphName(g)),
		Node:        e.nodes,
		Initializer: e.inits,
		Input:       []*onnxpb.ValueInfoProto{tensorInfo(opts.InputName, fileShape(in.Shape))},
		Output:      []*onnxpb.ValueInfoProto{tensorInfo(opts.OutputName, fileShape(out.Shape))},
	}
	ir := int64(7)
	if opts.Opset >= 15 {
		ir = 8
	}
	return &onnxpb.ModelProto{
		IrVersion:    proto.Int64(ir),
		ProducerName: proto.String(opts.Producer),
		OpsetImport:  []*onnxpb.OperatorSetIdProto{{Domain: proto.String(""), Version: proto.Int64(int64(opts.Opset))}},
		Graph:        gp,
	}, nil
}

func graphName(g *ops.Graph) string {
	if g.Name != "" {
		return g.Name
	}
	return "simdnet"
}

// fileShape is a per-sample simdnet shape as the file's, batch first:
// an H×W×C image is N×C×H×W.
func fileShape(s ops.Shape) []int64 {
	out := []int64{-1}
	if len(s) == 3 {
		return append(out, int64(s[2]), int64(s[0]), int64(s[1]))
	}
	for _, d := range s {
		out = append(out, int64(d))
	}
	return out
}

func tensorInfo(name string, shape []int64) *onnxpb.ValueInfoProto {
	var dims []*onnxpb.TensorShapeProto_Dimension
	for _, d := range shape {
		dim := &onnxpb.TensorShapeProto_Dimension{}
		if d < 0 {
			dim.Value = &onnxpb.TensorShapeProto_Dimension_DimParam{DimParam: "N"}
		} else {
			dim.Value = &onnxpb.TensorShapeProto_Dimension_DimValue{DimValue: d}
		}
		dims = append(dims, dim)
	}
	return &onnxpb.ValueInfoProto{Name: proto.String(name), Type: &onnxpb.TypeProto{
		Value: &onnxpb.TypeProto_TensorType{TensorType: &onnxpb.TypeProto_Tensor{
			ElemType: proto.Int32(int32(onnxpb.TensorProto_FLOAT)), Shape: &onnxpb.TensorShapeProto{Dim: dims}}},
	}}
}

// rename gives the tensor called from the name to; the graph's output
// gets its name this way.
func (e *exporter) rename(from, to string) {
	if from == e.opts.InputName {
		// The output is the input itself: an Identity carries it.
		e.nodes = append(e.nodes, &onnxpb.NodeProto{OpType: proto.String("Identity"), Name: proto.String("output_identity"),
			Input: []string{from}, Output: []string{to}})
		return
	}
	for _, n := range e.nodes {
		for i, s := range n.Output {
			if s == from {
				n.Output[i] = to
			}
		}
		for i, s := range n.Input {
			if s == from {
				n.Input[i] = to
			}
		}
	}
}

// unique returns a tensor or node name not used yet, built from base.
func (e *exporter) unique(base string) string {
	name := base
	for k := 2; e.names[name]; k++ {
		name = fmt.Sprintf("%s_%d", base, k)
	}
	e.names[name] = true
	return name
}

// emit adds a node and returns its (single) output's name.
func (e *exporter) emit(op, name string, inputs []string, attrs ...*onnxpb.AttributeProto) string {
	out := e.unique(name)
	e.nodes = append(e.nodes, &onnxpb.NodeProto{OpType: proto.String(op), Name: proto.String(out),
		Input: inputs, Output: []string{out}, Attribute: attrs})
	return out
}

// floats adds a float32 initializer.
func (e *exporter) floats(name string, dims []int64, v []float32) string {
	name = e.unique(name)
	raw := make([]byte, 4*len(v))
	for k, x := range v {
		binary.LittleEndian.PutUint32(raw[4*k:], math.Float32bits(x))
	}
	e.inits = append(e.inits, &onnxpb.TensorProto{Name: proto.String(name), Dims: dims,
		DataType: proto.Int32(int32(onnxpb.TensorProto_FLOAT)), RawData: raw})
	return name
}

// int64s adds an int64 initializer.
func (e *exporter) int64s(name string, v []int64) string {
	name = e.unique(name)
	e.inits = append(e.inits, &onnxpb.TensorProto{Name: proto.String(name), Dims: []int64{int64(len(v))},
		DataType: proto.Int32(int32(onnxpb.TensorProto_INT64)), Int64Data: v})
	return name
}

func (e *exporter) scalar(name string, v float32) string {
	return e.floats(name, nil, []float32{v})
}

func intsAttr(name string, v ...int) *onnxpb.AttributeProto {
	iv := make([]int64, len(v))
	for k, x := range v {
		iv[k] = int64(x)
	}
	return &onnxpb.AttributeProto{Name: proto.String(name), Type: onnxpb.AttributeProto_INTS.Enum(), Ints: iv}
}

func intAttr(name string, v int) *onnxpb.AttributeProto {
	return &onnxpb.AttributeProto{Name: proto.String(name), Type: onnxpb.AttributeProto_INT.Enum(), I: proto.Int64(int64(v))}
}

func floatAttr(name string, v float32) *onnxpb.AttributeProto {
	return &onnxpb.AttributeProto{Name: proto.String(name), Type: onnxpb.AttributeProto_FLOAT.Enum(), F: proto.Float32(v)}
}

func layerErr(n *ops.Node, format string, args ...any) error {
	return &Error{Layer: n.Name(), Class: n.Layer.Class(), Msg: fmt.Sprintf(format, args...)}
}

// in returns the name of input k of n in simdnet's element order (a
// C×H×W-ordered flattening is turned back into H×W×C).
func (e *exporter) in(n *ops.Node, k int) (string, error) {
	return e.hwcName(n.Inputs[k])
}

// hwcName is the tensor of node n's output in simdnet's element order.
func (e *exporter) hwcName(n *ops.Node) (string, error) {
	v := e.vals[n]
	if v == nil {
		return "", layerErr(n, "its output was not exported")
	}
	if v.chw == [3]int{} {
		return v.name, nil
	}
	if v.hwc == "" {
		// Flatten of the NCHW image after a Transpose to NHWC.
		src := e.vals[n.Inputs[0]].name
		t := e.emit("Transpose", n.Name()+"_nhwc", []string{src}, intsAttr("perm", 0, 2, 3, 1))
		v.hwc = e.emit("Flatten", n.Name()+"_hwc", []string{t}, intAttr("axis", 1))
	}
	return v.hwc, nil
}

func (e *exporter) set(n *ops.Node, name string) { e.vals[n] = &value{name: name} }

// node exports one simdnet node.
func (e *exporter) node(n *ops.Node) error {
	switch l := n.Layer.(type) {
	case *ops.Input:
		if len(n.Shape) < 1 {
			return layerErr(n, "a scalar input")
		}
		e.set(n, e.opts.InputName)
		return nil
	case *ops.Conv2D:
		return e.conv2D(n, l)
	case *ops.DepthwiseConv2D:
		return e.depthwise(n, l, n.Inputs[0], n.Name())
	case *ops.SeparableConv2D:
		return e.separable(n, l)
	case *ops.BatchNormalization:
		return e.batchNorm(n, l)
	case *ops.Activation:
		x, err := e.in(n, 0)
		if err != nil {
			return err
		}
		y, err := e.activation(n, l.Func, x, n.Name(), len(n.Shape))
		if err != nil {
			return err
		}
		e.set(n, y)
		return nil
	case *ops.ReLULayer:
		return e.relu(n, l)
	case *ops.LeakyReLULayer:
		x, err := e.in(n, 0)
		if err != nil {
			return err
		}
		e.set(n, e.emit("LeakyRelu", n.Name(), []string{x}, floatAttr("alpha", l.NegativeSlope)))
		return nil
	case *ops.MaxPooling2D:
		return e.pool(n, "MaxPool", l.Pool2DConfig, false)
	case *ops.AveragePooling2D:
		return e.pool(n, "AveragePool", l.Pool2DConfig, true)
	case *ops.ZeroPadding2D:
		x, err := e.in(n, 0)
		if err != nil {
			return err
		}
		pads := e.int64s(n.Name()+"_pads", []int64{0, 0, int64(l.Top), int64(l.Left), 0, 0, int64(l.Bottom), int64(l.Right)})
		e.set(n, e.emit("Pad", n.Name(), []string{x, pads}))
		return nil
	case *ops.GlobalAveragePooling2D:
		return e.globalPool(n, "GlobalAveragePool", l.Keepdims)
	case *ops.GlobalMaxPooling2D:
		return e.globalPool(n, "GlobalMaxPool", l.Keepdims)
	case *ops.Flatten:
		return e.flatten(n)
	case *ops.Dense:
		return e.dense(n, l)
	case *ops.Add:
		return e.merge(n, "Add")
	case *ops.Subtract:
		return e.merge(n, "Sub")
	case *ops.Multiply:
		return e.merge(n, "Mul")
	case *ops.Concatenate:
		return e.concat(n, l)
	case *ops.Rescaling:
		x, err := e.in(n, 0)
		if err != nil {
			return err
		}
		y := x
		if l.Scale != 1 {
			y = e.emit("Mul", n.Name()+"_scale", []string{y, e.scalar(n.Name()+"/scale", l.Scale)})
		}
		if l.Offset != 0 || y == x {
			y = e.emit("Add", n.Name(), []string{y, e.scalar(n.Name()+"/offset", l.Offset)})
		}
		e.set(n, y)
		return nil
	case *ops.LayerNormalization:
		return e.layerNorm(n, l)
	case *ops.Dropout, *ops.SpatialDropout2D:
		e.vals[n] = e.vals[n.Inputs[0]] // inference: the identity
		return nil
	}
	return layerErr(n, "has no ONNX form in this exporter (it writes %s)", supported)
}

const supported = "Conv2D, DepthwiseConv2D, SeparableConv2D, BatchNormalization, LayerNormalization (opset 17 and later), Activation, ReLU, LeakyReLU, MaxPooling2D, AveragePooling2D, ZeroPadding2D, GlobalAveragePooling2D, GlobalMaxPooling2D, Flatten, Dense, Add, Subtract, Multiply, Concatenate, Rescaling, Dropout, SpatialDropout2D"

// image checks that node n's input k is an H×W×C image.
func image(n *ops.Node, k int) (ops.Shape, error) {
	s := n.Inputs[k].Shape
	if len(s) != 3 {
		return nil, layerErr(n, "input shape %v, want (H, W, C)", s)
	}
	return s, nil
}

func orOne(v [2]int) [2]int {
	if v == [2]int{} {
		return [2]int{1, 1}
	}
	return v
}

// convPads resolves a convolution's padding on input shape s as ONNX's
// pads (top, left, bottom, right).
func convPads(p ops.Padding, s ops.Shape, k, strides, dil [2]int) []int {
	_, t, b := p.Window(s[0], (k[0]-1)*dil[0]+1, strides[0])
	_, lft, r := p.Window(s[1], (k[1]-1)*dil[1]+1, strides[1])
	return []int{t, lft, b, r}
}

// convWeights turns a kH×kW×I×O kernel into ONNX's O×I×kH×kW.
func convWeights(k []float32, kh, kw, ci, co int) []float32 {
	w := make([]float32, len(k))
	for y := range kh {
		for x := range kw {
			for i := range ci {
				for o := range co {
					w[((o*ci+i)*kh+y)*kw+x] = k[((y*kw+x)*ci+i)*co+o]
				}
			}
		}
	}
	return w
}

func paramValues(n *ops.Node, p *ops.Param, want int) ([]float32, error) {
	if p == nil || len(p.Value) != want {
		got := -1
		if p != nil {
			got = len(p.Value)
		}
		return nil, layerErr(n, "parameter holds %d values, want %d (weights released?)", got, want)
	}
	return p.Value, nil
}

func (e *exporter) conv2D(n *ops.Node, l *ops.Conv2D) error {
	s, err := image(n, 0)
	if err != nil {
		return err
	}
	x, err := e.in(n, 0)
	if err != nil {
		return err
	}
	groups := max(l.Groups, 1)
	kh, kw := l.KernelSize[0], l.KernelSize[1]
	ci, co := s[2]/groups, l.Filters
	kernel, err := paramValues(n, l.Kernel, kh*kw*ci*co)
	if err != nil {
		return err
	}
	w := convWeights(kernel, kh, kw, ci, co)
	var bias []float32
	if l.Bias != nil {
		if bias, err = paramValues(n, l.Bias, co); err != nil {
			return err
		}
		bias = slices.Clone(bias)
	}
	name := n.Name()
	out := n
	if bn, ok := e.foldable(n, l.Activation); ok {
		if bias, err = e.fold(bn, w, bias, co); err != nil {
			return err
		}
		e.done[bn] = true
		out = bn
		name = bn.Name()
	}
	strides, dil := orOne(l.Strides), orOne(l.DilationRate)
	inputs := []string{x, e.floats(n.Name()+"/kernel", []int64{int64(co), int64(ci), int64(kh), int64(kw)}, w)}
	if bias != nil {
		inputs = append(inputs, e.floats(n.Name()+"/bias", []int64{int64(co)}, bias))
	}
	y := e.emit("Conv", name+"_conv", inputs, intsAttr("kernel_shape", kh, kw), intsAttr("strides", strides[0], strides[1]),
		intsAttr("dilations", dil[0], dil[1]), intsAttr("pads", convPads(l.Padding, s, l.KernelSize, strides, dil)...), intAttr("group", groups))
	if y, err = e.activation(n, l.Activation, y, name, 3); err != nil {
		return err
	}
	e.set(out, y)
	return nil
}

func (e *exporter) depthwise(n *ops.Node, l *ops.DepthwiseConv2D, src *ops.Node, name string) error {
	s := src.Shape
	if len(s) != 3 {
		return layerErr(n, "input shape %v, want (H, W, C)", s)
	}
	x, err := e.hwcName(src)
	if err != nil {
		return err
	}
	m := max(l.DepthMultiplier, 1)
	kh, kw, c := l.KernelSize[0], l.KernelSize[1], s[2]
	kernel, err := paramValues(n, l.Kernel, kh*kw*c*m)
	if err != nil {
		return err
	}
	// kH×kW×C×M: output channel c·M+m sees input channel c, which is
	// ONNX's grouping with group = C and M outputs per group.
	w := convWeights(kernel, kh, kw, 1, c*m)
	var bias []float32
	if l.Bias != nil {
		if bias, err = paramValues(n, l.Bias, c*m); err != nil {
			return err
		}
		bias = slices.Clone(bias)
	}
	out := n
	if bn, ok := e.foldable(n, l.Activation); ok && name == n.Name() {
		if bias, err = e.fold(bn, w, bias, c*m); err != nil {
			return err
		}
		e.done[bn] = true
		out = bn
		name = bn.Name()
	}
	strides, dil := orOne(l.Strides), orOne(l.DilationRate)
	inputs := []string{x, e.floats(name+"/depthwise_kernel", []int64{int64(c * m), 1, int64(kh), int64(kw)}, w)}
	if bias != nil {
		inputs = append(inputs, e.floats(name+"/bias", []int64{int64(c * m)}, bias))
	}
	y := e.emit("Conv", name+"_depthwise", inputs, intsAttr("kernel_shape", kh, kw), intsAttr("strides", strides[0], strides[1]),
		intsAttr("dilations", dil[0], dil[1]), intsAttr("pads", convPads(l.Padding, s, l.KernelSize, strides, dil)...), intAttr("group", c))
	if y, err = e.activation(n, l.Activation, y, name, 3); err != nil {
		return err
	}
	e.vals[out] = &value{name: y}
	return nil
}

// separable exports a SeparableConv2D as its depthwise half and a 1×1
// Conv.
func (e *exporter) separable(n *ops.Node, l *ops.SeparableConv2D) error {
	if l.Depthwise == nil || l.Pointwise == nil {
		return layerErr(n, "has no depthwise or pointwise half")
	}
	dw := *l.Depthwise
	dw.Activation = ops.Linear
	if err := e.depthwise(n, &dw, n.Inputs[0], n.Name()+"_dw"); err != nil {
		return err
	}
	mid := e.vals[n].name
	delete(e.vals, n)
	pw := l.Pointwise
	cin := n.Inputs[0].Shape[2] * max(dw.DepthMultiplier, 1)
	kernel, err := paramValues(n, pw.Kernel, cin*pw.Filters)
	if err != nil {
		return err
	}
	inputs := []string{mid, e.floats(n.Name()+"/pointwise_kernel", []int64{int64(pw.Filters), int64(cin), 1, 1}, convWeights(kernel, 1, 1, cin, pw.Filters))}
	if pw.Bias != nil {
		b, err := paramValues(n, pw.Bias, pw.Filters)
		if err != nil {
			return err
		}
		inputs = append(inputs, e.floats(n.Name()+"/bias", []int64{int64(pw.Filters)}, b))
	}
	y := e.emit("Conv", n.Name()+"_pw", inputs, intsAttr("kernel_shape", 1, 1))
	if y, err = e.activation(n, l.Activation, y, n.Name(), 3); err != nil {
		return err
	}
	e.set(n, y)
	return nil
}

// foldable reports the BatchNormalization that Options.FoldBatchNorm
// folds into convolution n: its only consumer, n having no activation.
func (e *exporter) foldable(n *ops.Node, act ops.ActFunc) (*ops.Node, bool) {
	if !e.opts.FoldBatchNorm || act != ops.Linear || len(e.users[n]) != 1 || n == e.g.OutputNode() {
		return nil, false
	}
	bn := e.users[n][0]
	_, ok := bn.Layer.(*ops.BatchNormalization)
	return bn, ok
}

// bnScale returns BatchNormalization's per-channel scale γ/√(σ²+ε) and
// shift β − μ·scale.
func bnScale(n *ops.Node, l *ops.BatchNormalization, c int) (scale, shift []float32, err error) {
	mean, err := paramValues(n, l.MovingMean, c)
	if err != nil {
		return nil, nil, err
	}
	variance, err := paramValues(n, l.MovingVariance, c)
	if err != nil {
		return nil, nil, err
	}
	eps := l.Epsilon
	if eps == 0 {
		eps = ops.DefaultBNEpsilon
	}
	scale, shift = make([]float32, c), make([]float32, c)
	for k := range c {
		g, b := float32(1), float32(0)
		if l.Gamma != nil {
			g = l.Gamma.Value[k]
		}
		if l.Beta != nil {
			b = l.Beta.Value[k]
		}
		scale[k] = float32(float64(g) / math.Sqrt(float64(variance[k])+float64(eps)))
		shift[k] = b - mean[k]*scale[k]
	}
	return scale, shift, nil
}

// fold scales the O×… weights w and returns the bias with bn applied.
func (e *exporter) fold(bn *ops.Node, w, bias []float32, co int) ([]float32, error) {
	l := bn.Layer.(*ops.BatchNormalization)
	if err := checkBNParams(bn, l, co); err != nil {
		return nil, err
	}
	scale, shift, err := bnScale(bn, l, co)
	if err != nil {
		return nil, err
	}
	per := len(w) / co
	for o := range co {
		for k := range per {
			w[o*per+k] *= scale[o]
		}
	}
	out := make([]float32, co)
	for o := range co {
		b := float32(0)
		if bias != nil {
			b = bias[o]
		}
		out[o] = b*scale[o] + shift[o]
	}
	return out, nil
}

func checkBNParams(n *ops.Node, l *ops.BatchNormalization, c int) error {
	for _, p := range []*ops.Param{l.Gamma, l.Beta} {
		if p != nil && len(p.Value) != c {
			return layerErr(n, "%s holds %d values, want %d", p.Name, len(p.Value), c)
		}
	}
	return nil
}

func (e *exporter) batchNorm(n *ops.Node, l *ops.BatchNormalization) error {
	s := n.Inputs[0].Shape
	if len(s) != 3 && len(s) != 1 {
		return layerErr(n, "input shape %v, want (H, W, C) or (C)", s)
	}
	x, err := e.in(n, 0)
	if err != nil {
		return err
	}
	c := s[len(s)-1]
	if err := checkBNParams(n, l, c); err != nil {
		return err
	}
	mean, err := paramValues(n, l.MovingMean, c)
	if err != nil {
		return err
	}
	variance, err := paramValues(n, l.MovingVariance, c)
	if err != nil {
		return err
	}
	gamma, beta := make([]float32, c), make([]float32, c)
	for k := range c {
		gamma[k] = 1
		if l.Gamma != nil {
			gamma[k] = l.Gamma.Value[k]
		}
		if l.Beta != nil {
			beta[k] = l.Beta.Value[k]
		}
	}
	eps := l.Epsilon
	if eps == 0 {
		eps = ops.DefaultBNEpsilon
	}
	dims := []int64{int64(c)}
	name := n.Name()
	y := e.emit("BatchNormalization", name, []string{x, e.floats(name+"/gamma", dims, gamma), e.floats(name+"/beta", dims, beta),
		e.floats(name+"/moving_mean", dims, mean), e.floats(name+"/moving_variance", dims, variance)}, floatAttr("epsilon", eps))
	e.set(n, y)
	return nil
}

// activation applies f to tensor x of per-sample rank rank (softmax runs
// on the channels of an image, axis 1 in NCHW, else on the last axis).
func (e *exporter) activation(n *ops.Node, f ops.ActFunc, x, name string, rank int) (string, error) {
	if f == ops.Softmax && e.opts.Logits && n == e.g.OutputNode() {
		return x, nil
	}
	hardSigmoid := func(alpha, beta float32) string {
		return e.emit("HardSigmoid", name+"_hardsigmoid", []string{x}, floatAttr("alpha", alpha), floatAttr("beta", beta))
	}
	switch f {
	case ops.Linear:
		return x, nil
	case ops.ReLU:
		return e.emit("Relu", name+"_relu", []string{x}), nil
	case ops.ReLU6:
		return e.emit("Clip", name+"_relu6", []string{x, e.scalar(name+"/min", 0), e.scalar(name+"/max", 6)}), nil
	case ops.LeakyReLU:
		return e.emit("LeakyRelu", name+"_leaky_relu", []string{x}, floatAttr("alpha", 0.2)), nil
	case ops.Sigmoid:
		return e.emit("Sigmoid", name+"_sigmoid", []string{x}), nil
	case ops.Tanh:
		return e.emit("Tanh", name+"_tanh", []string{x}), nil
	case ops.HardSigmoid:
		return hardSigmoid(0.2, 0.5), nil
	case ops.HardSigmoidTorch:
		return hardSigmoid(1.0/6, 0.5), nil
	case ops.HardSwish:
		// HardSwish is opset 14; x · hard_sigmoid(x) is the same.
		return e.emit("Mul", name+"_hardswish", []string{x, hardSigmoid(1.0/6, 0.5)}), nil
	case ops.Swish:
		s := e.emit("Sigmoid", name+"_sigmoid", []string{x})
		return e.emit("Mul", name+"_swish", []string{x, s}), nil
	case ops.GELU:
		// 0.5·x·(1 + erf(x/√2)), in the order PyTorch exports it.
		d := e.emit("Div", name+"_gelu_div", []string{x, e.scalar(name+"/sqrt2", float32(math.Sqrt2))})
		r := e.emit("Erf", name+"_gelu_erf", []string{d})
		a := e.emit("Add", name+"_gelu_add", []string{r, e.scalar(name+"/one", 1)})
		m := e.emit("Mul", name+"_gelu_mul", []string{x, a})
		return e.emit("Mul", name+"_gelu", []string{m, e.scalar(name+"/half", 0.5)}), nil
	case ops.Softmax:
		axis := -1
		if rank == 3 {
			axis = 1
		} else if rank != 1 {
			return "", layerErr(n, "softmax over a rank-%d sample (want a vector or an image)", rank)
		}
		return e.emit("Softmax", name+"_softmax", []string{x}, intAttr("axis", axis)), nil
	}
	return "", layerErr(n, "activation %v has no ONNX form in this exporter", f)
}

func (e *exporter) relu(n *ops.Node, l *ops.ReLULayer) error {
	x, err := e.in(n, 0)
	if err != nil {
		return err
	}
	c := l.ReLUConfig
	var y string
	switch {
	case c.Threshold != 0:
		return layerErr(n, "threshold %v has no ONNX form in this exporter", c.Threshold)
	case c.NegativeSlope != 0 && c.HasMaxValue:
		return layerErr(n, "negative_slope %v with max_value %v has no ONNX form in this exporter", c.NegativeSlope, c.MaxValue)
	case c.NegativeSlope != 0:
		y = e.emit("LeakyRelu", n.Name(), []string{x}, floatAttr("alpha", c.NegativeSlope))
	case c.HasMaxValue:
		y = e.emit("Clip", n.Name(), []string{x, e.scalar(n.Name()+"/min", 0), e.scalar(n.Name()+"/max", c.MaxValue)})
	default:
		y = e.emit("Relu", n.Name(), []string{x})
	}
	e.set(n, y)
	return nil
}

func (e *exporter) pool(n *ops.Node, op string, c ops.Pool2DConfig, average bool) error {
	s, err := image(n, 0)
	if err != nil {
		return err
	}
	x, err := e.in(n, 0)
	if err != nil {
		return err
	}
	strides := c.Strides
	if strides == [2]int{} {
		strides = c.PoolSize
	}
	var pads []int
	if c.Padding == ops.Same {
		pads = convPads(ops.Same, s, c.PoolSize, strides, [2]int{1, 1})
	} else {
		pads = []int{c.Pads[0], c.Pads[2], c.Pads[1], c.Pads[3]} // (top, bottom, left, right) → ONNX's order
	}
	attrs := []*onnxpb.AttributeProto{intsAttr("kernel_shape", c.PoolSize[0], c.PoolSize[1]),
		intsAttr("strides", strides[0], strides[1]), intsAttr("pads", pads...)}
	if c.CeilMode {
		attrs = append(attrs, intAttr("ceil_mode", 1))
	}
	if average && c.CountIncludePad {
		attrs = append(attrs, intAttr("count_include_pad", 1))
	}
	e.set(n, e.emit(op, n.Name(), []string{x}, attrs...))
	return nil
}

func (e *exporter) globalPool(n *ops.Node, op string, keepdims bool) error {
	if _, err := image(n, 0); err != nil {
		return err
	}
	x, err := e.in(n, 0)
	if err != nil {
		return err
	}
	y := e.emit(op, n.Name(), []string{x})
	if !keepdims {
		y = e.emit("Flatten", n.Name()+"_flatten", []string{y}, intAttr("axis", 1))
	}
	e.set(n, y)
	return nil
}

// flatten: an image with more than one position is flattened in ONNX's
// C×H×W order, which the Dense layers after it are permuted for.
func (e *exporter) flatten(n *ops.Node) error {
	s := n.Inputs[0].Shape
	src := e.vals[n.Inputs[0]]
	if src == nil {
		return layerErr(n, "its input was not exported")
	}
	if len(s) == 1 {
		e.vals[n] = src
		return nil
	}
	x, err := e.in(n, 0)
	if err != nil {
		return err
	}
	y := e.emit("Flatten", n.Name(), []string{x}, intAttr("axis", 1))
	v := &value{name: y}
	if len(s) == 3 && s[0]*s[1] > 1 && s[2] > 1 {
		v.chw = [3]int{s[2], s[0], s[1]}
	}
	e.vals[n] = v
	return nil
}

func (e *exporter) dense(n *ops.Node, l *ops.Dense) error {
	s := n.Inputs[0].Shape
	if len(s) == 3 {
		return e.denseImage(n, l)
	}
	if len(s) != 1 {
		return layerErr(n, "input shape %v, want a vector or an (H, W, C) image", s)
	}
	src := e.vals[n.Inputs[0]]
	if src == nil {
		return layerErr(n, "its input was not exported")
	}
	in, units := s[0], l.Units
	kernel, err := paramValues(n, l.Kernel, in*units)
	if err != nil {
		return err
	}
	w := kernel
	x := src.name
	if c := src.chw; c != [3]int{} {
		// Row (h·W + w)·C + ch of simdnet's kernel is row ch·H·W + h·W + w
		// of the file's.
		ch, h, wd := c[0], c[1], c[2]
		w = make([]float32, len(kernel))
		for p := range h * wd {
			for k := range ch {
				copy(w[(k*h*wd+p)*units:][:units], kernel[(p*ch+k)*units:][:units])
			}
		}
	}
	inputs := []string{x, e.floats(n.Name()+"/kernel", []int64{int64(in), int64(units)}, w)}
	if l.Bias != nil {
		b, err := paramValues(n, l.Bias, units)
		if err != nil {
			return err
		}
		inputs = append(inputs, e.floats(n.Name()+"/bias", []int64{int64(units)}, b))
	}
	y := e.emit("Gemm", n.Name()+"_gemm", inputs)
	if y, err = e.activation(n, l.Activation, y, n.Name(), 1); err != nil {
		return err
	}
	e.set(n, y)
	return nil
}

// merge exports Add, Sub and Mul, pairwise left to right. Inputs of equal
// rank broadcast alike in both layouts: a (1, 1, C) factor is N×C×1×1.
func (e *exporter) merge(n *ops.Node, op string) error {
	if len(n.Inputs) < 2 {
		return layerErr(n, "%d inputs, want at least 2", len(n.Inputs))
	}
	var acc string
	for k, in := range n.Inputs {
		if len(in.Shape) != len(n.Shape) {
			return layerErr(n, "input %d has shape %v and the output %v: inputs of different ranks have no export here", k, in.Shape, n.Shape)
		}
		x, err := e.in(n, k)
		if err != nil {
			return err
		}
		if k == 0 {
			acc = x
			continue
		}
		name := n.Name()
		if k < len(n.Inputs)-1 {
			name = fmt.Sprintf("%s_%d", n.Name(), k)
		}
		acc = e.emit(op, name, []string{acc, x})
	}
	e.set(n, acc)
	return nil
}

func (e *exporter) concat(n *ops.Node, l *ops.Concatenate) error {
	rank := len(n.Shape)
	axis := l.Axis
	if axis <= 0 {
		axis += rank + 1 // -1 (or 0, the default) is the last axis
		if l.Axis == 0 {
			axis = rank
		}
	}
	if axis < 1 || axis > rank {
		return layerErr(n, "axis %d of a rank-%d sample", l.Axis, rank)
	}
	if rank == 3 {
		axis = [4]int{0, 2, 3, 1}[axis] // H, W, C → NCHW's axes
	}
	var ins []string
	for k := range n.Inputs {
		x, err := e.in(n, k)
		if err != nil {
			return err
		}
		ins = append(ins, x)
	}
	e.set(n, e.emit("Concat", n.Name(), ins, intAttr("axis", axis)))
	return nil
}

// layerNorm exports LayerNormalization over the last axis: of a vector
// directly, of an image (its channels) between Transposes to NHWC and
// back, as PyTorch's ConvNeXt exports it. ONNX has it from opset 17.
func (e *exporter) layerNorm(n *ops.Node, l *ops.LayerNormalization) error {
	if e.opts.Opset < 17 {
		return layerErr(n, "LayerNormalization is an ONNX operator from opset 17; export with opset 17 or later")
	}
	rank := len(n.Shape)
	if a := l.Axis; a != 0 && a != -1 && a != rank {
		return layerErr(n, "axis %d: only the last axis has an export", a)
	}
	if rank != 1 && rank != 3 {
		return layerErr(n, "input shape %v, want (H, W, C) or (C)", n.Inputs[0].Shape)
	}
	x, err := e.in(n, 0)
	if err != nil {
		return err
	}
	c := n.Shape[rank-1]
	gamma, beta := make([]float32, c), make([]float32, c)
	for k := range gamma {
		gamma[k] = 1
	}
	if l.Gamma != nil {
		v, err := paramValues(n, l.Gamma, c)
		if err != nil {
			return err
		}
		copy(gamma, v)
	}
	if l.Beta != nil {
		v, err := paramValues(n, l.Beta, c)
		if err != nil {
			return err
		}
		copy(beta, v)
	}
	eps := l.Epsilon
	if eps == 0 {
		eps = ops.DefaultLNEpsilon
	}
	name := n.Name()
	if rank == 3 {
		x = e.emit("Transpose", name+"_nhwc", []string{x}, intsAttr("perm", 0, 2, 3, 1))
	}
	dims := []int64{int64(c)}
	y := e.emit("LayerNormalization", name+"_ln", []string{x, e.floats(name+"/gamma", dims, gamma), e.floats(name+"/beta", dims, beta)},
		intAttr("axis", -1), floatAttr("epsilon", eps))
	if rank == 3 {
		y = e.emit("Transpose", name+"_nchw", []string{y}, intsAttr("perm", 0, 3, 1, 2))
	}
	e.set(n, y)
	return nil
}

// denseImage exports a Dense on the channels of an image (ConvNeXt's
// pointwise layers) as the 1×1 Conv it is.
func (e *exporter) denseImage(n *ops.Node, l *ops.Dense) error {
	x, err := e.in(n, 0)
	if err != nil {
		return err
	}
	in, units := n.Inputs[0].Shape[2], l.Units
	kernel, err := paramValues(n, l.Kernel, in*units)
	if err != nil {
		return err
	}
	inputs := []string{x, e.floats(n.Name()+"/kernel", []int64{int64(units), int64(in), 1, 1}, convWeights(kernel, 1, 1, in, units))}
	if l.Bias != nil {
		b, err := paramValues(n, l.Bias, units)
		if err != nil {
			return err
		}
		inputs = append(inputs, e.floats(n.Name()+"/bias", []int64{int64(units)}, b))
	}
	y := e.emit("Conv", n.Name()+"_conv1x1", inputs, intsAttr("kernel_shape", 1, 1))
	if y, err = e.activation(n, l.Activation, y, n.Name(), 3); err != nil {
		return err
	}
	e.set(n, y)
	return nil
}
