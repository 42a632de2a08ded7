package onnx

import (
	"fmt"
	"slices"

	"github.com/simdnet/simdnet/onnx/internal/onnxpb"
	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/plan"
)

// Model is an ONNX file lowered onto an ops.Graph.
type Model struct {
	// Graph is the lowered network. It works in NHWC: its input and output
	// shapes are GraphInputShape and the graph's own output shape.
	Graph *ops.Graph
	// InputName and OutputName are the file's.
	InputName, OutputName string
	// Opset is the file's version of the default domain; Producer names
	// the program that wrote it.
	Opset    int64
	Producer string

	in, out boundary
	chLast  bool
}

// boundary describes one end of the model: the file's per-sample shape and
// how the graph stores it.
type boundary struct {
	shape []int  // the file's, without the batch axis
	image bool   // rank 4 in the file: NCHW there, NHWC in the graph
	chw   [3]int // a rank-2 output holding a flattened C×H×W in H×W×C order
}

// finish sets the graph's output and wraps it up.
func (l *lowerer) finish(gp *onnxpb.GraphProto) (*Model, error) {
	outs := gp.GetOutput()
	if len(outs) != 1 {
		return nil, &Error{File: l.file, Msg: fmt.Sprintf("the graph has %d outputs, want 1", len(outs))}
	}
	name := outs[0].GetName()
	ref := fmt.Sprintf("output %q", name)
	v := l.vals[name]
	switch {
	case v == nil:
		return nil, &Error{File: l.file, Node: ref, Msg: "no node computes it"}
	case v.c != nil:
		return nil, &Error{File: l.file, Node: ref, Msg: "is a constant"}
	case v.n == l.in.n:
		return nil, &Error{File: l.file, Node: ref, Msg: "is the input itself"}
	}
	l.g.SetOutput(v.n)
	if err := l.g.Build(); err != nil {
		return nil, &Error{File: l.file, Node: ref, Msg: err.Error()}
	}
	return &Model{
		Graph: l.g, InputName: l.inputName, OutputName: name, chLast: l.opts.ChannelsLast,
		in:  boundary{shape: slices.Clone(l.in.shape[1:]), image: len(l.in.shape) == 4},
		out: boundary{shape: slices.Clone(v.shape[1:]), image: v.isImage(), chw: v.chw},
	}, nil
}

// InputShape is the per-sample shape the model takes: the file's (C, H, W)
// for an image, or (H, W, C) with Options.ChannelsLast.
func (m *Model) InputShape() []int { return m.in.callerShape(m.chLast) }

// OutputShape is the per-sample shape the model gives, in the same layout
// as InputShape.
func (m *Model) OutputShape() []int { return m.out.callerShape(m.chLast) }

func (b boundary) callerShape(chLast bool) []int {
	if b.image && chLast {
		return []int{b.shape[1], b.shape[2], b.shape[0]}
	}
	return slices.Clone(b.shape)
}

// toGraph converts a batch in the caller's layout to the graph's.
func (m *Model) toGraph(x *ops.Tensor) (*ops.Tensor, error) {
	want := m.InputShape()
	if x == nil || len(x.Shape) != len(want)+1 || !x.Shape[1:].Equal(want) || len(x.Data) != x.Shape.Len() {
		var got any = nil
		if x != nil {
			got = x.Shape
		}
		return nil, fmt.Errorf("onnx: input %q: got shape %v, want (batch, %v)", m.InputName, got, ops.Shape(want))
	}
	if !m.in.image || m.chLast {
		return x, nil
	}
	n, c, h, w := x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3]
	y := ops.NewTensor(n, h, w, c)
	nchwToNHWC(y.Data, x.Data, n, c, h*w)
	return y, nil
}

// fromGraph converts the graph's output to the caller's layout.
func (m *Model) fromGraph(y *ops.Tensor) *ops.Tensor {
	n := y.Shape[0]
	switch {
	case m.out.image && m.chLast:
		s := m.out.shape
		y.Shape = ops.Shape{n, s[1], s[2], s[0]}
		return y
	case m.out.image:
		s := m.out.shape
		out := ops.NewTensor(n, s[0], s[1], s[2])
		nhwcToNCHW(out.Data, y.Data, n, s[0], s[1]*s[2])
		return out
	case m.out.chw != [3]int{} && !m.chLast:
		c, hw := m.out.chw[0], m.out.chw[1]*m.out.chw[2]
		out := ops.NewTensor(n, c*hw)
		nhwcToNCHW(out.Data, y.Data, n, c, hw)
		return out
	}
	return y
}

func nchwToNHWC(dst, src []float32, n, c, hw int) {
	for b := range n {
		s, d := src[b*c*hw:(b+1)*c*hw], dst[b*c*hw:(b+1)*c*hw]
		for ch := range c {
			for p, v := range s[ch*hw : (ch+1)*hw] {
				d[p*c+ch] = v
			}
		}
	}
}

func nhwcToNCHW(dst, src []float32, n, c, hw int) {
	for b := range n {
		s, d := src[b*c*hw:(b+1)*c*hw], dst[b*c*hw:(b+1)*c*hw]
		for ch := range c {
			row := d[ch*hw : (ch+1)*hw]
			for p := range row {
				row[p] = s[p*c+ch]
			}
		}
	}
}

// Forward runs the graph layer by layer (ops.Graph.Forward, the unfused
// path) on a batch in the model's layout.
func (m *Model) Forward(x *ops.Tensor) (*ops.Tensor, error) {
	gx, err := m.toGraph(x)
	if err != nil {
		return nil, err
	}
	y, err := m.Graph.Forward(gx, ops.Inference)
	if err != nil {
		return nil, err
	}
	return m.fromGraph(y), nil
}

// Plan is a Model compiled by simdnet's planner.
type Plan struct {
	m    *Model
	plan *plan.Plan
}

// Close releases the compiled plan (plan.Plan.Close).
func (p *Plan) Close() error { return p.plan.Close() }

// Compile compiles the graph into a fused inference plan (plan.Compile).
func (m *Model) Compile(opts plan.Options) (*Plan, error) {
	p, err := plan.Compile(m.Graph, opts)
	if err != nil {
		return nil, err
	}
	return &Plan{m: m, plan: p}, nil
}

// Ops is the underlying plan, which works in NHWC.
func (p *Plan) Ops() *plan.Plan { return p.plan }

// Forward runs the plan on a batch in the model's layout.
func (p *Plan) Forward(x *ops.Tensor) (*ops.Tensor, error) {
	gx, err := p.m.toGraph(x)
	if err != nil {
		return nil, err
	}
	y, err := p.plan.Forward(gx)
	if err != nil {
		return nil, err
	}
	return p.m.fromGraph(y), nil
}
