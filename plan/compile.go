package plan

import (
	"context"
	"fmt"
	"math"
	"sort"

	"github.com/simdnet/simdnet/dwconv"
	"github.com/simdnet/simdnet/gemm"
	"github.com/simdnet/simdnet/ops"
)

// group is a run of graph nodes that Compile turns into one step: a head
// and the single-consumer nodes after it that fold into it.
type group struct {
	head     *node
	tail     *node   // the node whose output the step writes
	nodes    []*node // head first
	pad      [4]int  // a zero padding absorbed before a product
	padInput *node   // the padding's input, when a padding was absorbed
	// scaled: a channel scale absorbed before a 1×1 product (its
	// operand's packing multiplies each row by the sample's factors);
	// scaleOf is the scaled tensor, scale the factors.
	scaleOf, scale *node
	affine         *ops.InferenceOp
	residual       *node       // a sum's other term, when a sum was absorbed
	act            ops.ActFunc // the activation after the product (and residual)
}

// Compile turns a built graph into an inference plan. The graph's current
// weights are copied, folded and packed; the graph itself is not changed.
// It fails, naming the layer, on a layer that does not describe itself to
// planners (ops.InferenceLayer) or on weights that are not finite.
func Compile(g *ops.Graph, opts Options) (*Plan, error) {
	return CompileContext(context.Background(), g, opts)
}

// CompileContext is Compile that gives up when ctx is done, checking it
// before each layer's weights are folded and packed; it then returns
// ctx.Err().
func CompileContext(ctx context.Context, g *ops.Graph, opts Options) (*Plan, error) {
	if err := g.Build(); err != nil {
		return nil, err
	}
	c := compiler{ctx: ctx, g: g, opts: opts, groupOf: map[int]*group{}}
	if err := c.describe(); err != nil {
		return nil, err
	}
	c.consumers = make([][]*node, len(c.nodes))
	for _, n := range c.nodes {
		for _, in := range n.Inputs {
			c.consumers[in.ID] = append(c.consumers[in.ID], n)
		}
	}
	c.fuse()
	p := &Plan{name: g.Name, in: c.input.Shape.Clone(), out: c.g.OutputNode().Shape.Clone(), opts: opts}
	if p.name == "" {
		p.name = "model"
	}
	if err := c.lower(p); err != nil {
		return nil, err
	}
	p.schedule()
	if err := c.quantize(p); err != nil {
		return nil, err
	}
	p.chooseSubBatch()
	p.place()
	idle := opts.ArenaIdle
	if idle == 0 {
		idle = DefaultArenaIdle
	}
	p.arenas = newArenaPool(idle, arenaShape{packers: p.packers, patchers: p.patchers, scalers: p.scalers, reads: p.maxReads, scratch: p.scratch})
	return p, nil
}

type compiler struct {
	ctx           context.Context
	g             *ops.Graph
	opts          Options
	nodes         []*node
	input, output *node
	consumers     [][]*node
	ops           []ops.InferenceOp // by node ID: what each layer computes
	groups        []*group
	groupOf       map[int]*group // node ID → the group that absorbed it
}

// node is one operation the planner compiles: a graph node, or one link of
// a layer that is a chain of operations (ops.InferenceChain).
type node struct {
	ID     int // index in compiler.nodes, a topological order
	Inputs []*node
	Shape  ops.Shape // per-sample output shape
	name   string    // the layer's
	class  string
}

func (n *node) Name() string { return n.name }

// describe asks every layer what it computes and makes the planner's
// nodes: one per graph node, or one per link of a chain.
func (c *compiler) describe() error {
	mine := map[*ops.Node]*node{}
	add := func(name, class string, shape ops.Shape, op ops.InferenceOp, in []*node) *node {
		n := &node{ID: len(c.nodes), Inputs: in, Shape: shape, name: name, class: class}
		c.nodes = append(c.nodes, n)
		c.ops = append(c.ops, op)
		return n
	}
	for _, gn := range c.g.Nodes() {
		ins := make([]*node, len(gn.Inputs))
		shapes := make([]ops.Shape, len(gn.Inputs))
		for i, in := range gn.Inputs {
			ins[i], shapes[i] = mine[in], in.Shape
		}
		name, class := gn.Name(), gn.Layer.Class()
		var n *node
		switch l := gn.Layer.(type) {
		case *ops.Input:
			n = add(name, class, gn.Shape, ops.InferenceOp{}, nil)
			c.input = n
		case ops.InferenceChain:
			links, outs, err := l.InferenceChain(shapes...)
			if err != nil {
				return err
			}
			if len(links) == 0 || len(outs) != len(links) {
				return fmt.Errorf("plan: layer %q (%s): a chain of %d operations with %d shapes", name, class, len(links), len(outs))
			}
			for i, op := range links {
				if i > 0 {
					ins = []*node{n}
				}
				n = add(name, class, outs[i], op, ins)
			}
		case ops.InferenceLayer:
			op, err := l.Inference(shapes...)
			if err != nil {
				return err
			}
			n = add(name, class, gn.Shape, op, ins)
		default:
			return fmt.Errorf("plan: layer %q (%s): the inference planner does not support %s layers (no Inference method)", name, class, class)
		}
		mine[gn] = n
	}
	c.output = mine[c.g.OutputNode()]
	if c.opts.Logits {
		// The logits: the output layer without its activation.
		op := &c.ops[c.output.ID]
		op.Act, op.Product.Act, op.Depthwise.Act = ops.Linear, ops.Linear, ops.Linear
	}
	return nil
}

func layerErr(n *node, format string, args ...any) error {
	return fmt.Errorf("plan: layer %q (%s): %s", n.Name(), n.class, fmt.Sprintf(format, args...))
}

func (c *compiler) kind(n *node) ops.OpKind { return c.ops[n.ID].Kind }

// soleConsumer returns the one node that reads n, or nil if n has several
// readers, is the graph's output (whose value the caller must see), or its
// reader already belongs to another group (the other branch of a sum).
func (c *compiler) soleConsumer(n *node) *node {
	if n == c.output || len(c.consumers[n.ID]) != 1 {
		return nil
	}
	next := c.consumers[n.ID][0]
	if c.groupOf[next.ID] != nil {
		return nil
	}
	return next
}

// fusibleAct reports whether n is an element-wise activation a product can
// apply to its own output.
func (c *compiler) fusibleAct(n *node) bool {
	op := &c.ops[n.ID]
	return op.Kind == ops.OpActivation && op.Act.Elementwise()
}

// fuse groups the nodes: a zero padding into the product it feeds, and
// after a product its affine map (BatchNormalization), then an activation,
// or a sum (the residual) and the activation after it.
func (c *compiler) fuse() {
	for _, n := range c.nodes {
		if n == c.input || c.groupOf[n.ID] != nil {
			continue
		}
		gr := &group{head: n, tail: n, nodes: []*node{n}}
		c.groups = append(c.groups, gr)
		c.groupOf[n.ID] = gr
		head := c.kind(n)
		if head != ops.OpProduct && head != ops.OpDepthwise {
			continue
		}
		if pad := n.Inputs[0]; c.kind(pad) == ops.OpPad && pad != c.input && len(c.consumers[pad.ID]) == 1 && pad != c.output {
			// The padding's group was made when its node came up; undo it.
			c.dropGroup(c.groupOf[pad.ID])
			gr.pad, gr.padInput = c.ops[pad.ID].Pad, pad.Inputs[0]
			gr.nodes = append([]*node{pad}, gr.nodes...)
			c.groupOf[pad.ID] = gr
		} else if mul := n.Inputs[0]; c.scalable(n, mul) {
			c.dropGroup(c.groupOf[mul.ID])
			gr.scaleOf, gr.scale = mul.Inputs[0], mul.Inputs[1]
			gr.nodes = append([]*node{mul}, gr.nodes...)
			c.groupOf[mul.ID] = gr
		}
		absorb := func(x *node) {
			gr.nodes = append(gr.nodes, x)
			gr.tail = x
			c.groupOf[x.ID] = gr
		}
		if act := c.headAct(n); act != ops.Linear {
			// The layer's own activation= comes first: nothing after it
			// is folded into the weights or the epilogue.
			gr.act = act
			continue
		}
		if next := c.soleConsumer(gr.tail); next != nil && c.kind(next) == ops.OpAffine {
			op := c.ops[next.ID]
			gr.affine = &op
			absorb(next)
		}
		next := c.soleConsumer(gr.tail)
		switch {
		case next == nil:
		case c.fusibleAct(next):
			gr.act = c.ops[next.ID].Act
			absorb(next)
		case head == ops.OpProduct && c.isSum2(next):
			other := next.Inputs[0]
			if other == gr.tail {
				other = next.Inputs[1]
			}
			gr.residual = other
			absorb(next)
			if r := c.soleConsumer(next); r != nil && c.fusibleAct(r) {
				gr.act = c.ops[r.ID].Act
				absorb(r)
			}
		}
	}
}

// scalable reports whether the channel scale mul, read only by the product
// n, can be applied as n packs its operand: n is a 1×1 stride-1 product of
// one group with no padding, which reads its input row by row.
func (c *compiler) scalable(n, mul *node) bool {
	if c.kind(mul) != ops.OpChannelScale || mul == c.output || len(c.consumers[mul.ID]) != 1 || c.kind(n) != ops.OpProduct {
		return false
	}
	p := &c.ops[n.ID].Product
	g := p.Geometry
	return max(p.Groups, 1) == 1 && g.KH == 1 && g.KW == 1 && g.SH == 1 && g.SW == 1 &&
		g.PadTop+g.PadBottom+g.PadLeft+g.PadRight == 0 && len(mul.Shape) == 3
}

// headAct is a product's or depthwise convolution's own activation=.
func (c *compiler) headAct(n *node) ops.ActFunc {
	if op := &c.ops[n.ID]; op.Kind == ops.OpDepthwise {
		return op.Depthwise.Act
	}
	return c.ops[n.ID].Product.Act
}

func (c *compiler) isSum2(n *node) bool {
	return c.kind(n) == ops.OpSum && len(n.Inputs) == 2 && n.Inputs[0] != n.Inputs[1]
}

func (c *compiler) dropGroup(gr *group) {
	for i, x := range c.groups {
		if x == gr {
			c.groups = append(c.groups[:i], c.groups[i+1:]...)
			return
		}
	}
}

// aliased reports whether a group is a view of its input's memory (a
// Flatten, say), which gets no step of its own unless the caller must see
// it as the output.
func (c *compiler) aliased(gr *group) bool {
	return c.kind(gr.head) == ops.OpSameMemory && gr.head != c.output
}

// lower turns each group into a step over numbered values.
func (c *compiler) lower(p *Plan) error {
	valueOf := map[int]int{} // node ID → value index
	newValue := func(n *node) int {
		p.values = append(p.values, value{name: n.Name(), size: n.Shape.Len()})
		valueOf[n.ID] = len(p.values) - 1
		return len(p.values) - 1
	}
	p.input = newValue(c.input)
	placed := map[int]placement{}
	if c.opts.Quant == nil { // an int8 plan keeps one writer per value
		placed = c.placeConcatInputs()
	}
	for _, gr := range c.groups {
		_, ok := placed[gr.tail.ID]
		switch {
		case ok || c.aliased(gr):
		case c.inPlace(gr, valueOf):
			valueOf[gr.tail.ID] = valueOf[gr.head.Inputs[0].ID]
		default:
			newValue(gr.tail)
		}
	}
	for id, pl := range placed {
		valueOf[id] = valueOf[pl.concat.ID]
	}
	p.output = valueOf[c.output.ID]
	// writers[node ID]: the steps that write the node's value (several
	// for a concatenation whose inputs write in place); read: the nodes
	// the step being lowered reads, for the schedule.
	writers := map[int][]int{}
	var read []*node
	resolve := func(n *node) int {
		for {
			if v, ok := valueOf[n.ID]; ok {
				read = append(read, n)
				return v
			}
			if c.kind(n) != ops.OpSameMemory {
				// Only a group's last node is stored; fusion never lets
				// another step read from the middle of a group.
				panic("plan: a step reads " + n.Name() + ", which a fused step does not keep")
			}
			n = n.Inputs[0]
		}
	}
	for _, gr := range c.groups {
		if c.aliased(gr) {
			continue
		}
		if err := c.ctx.Err(); err != nil {
			return err
		}
		read = read[:0]
		s := step{out: valueOf[gr.tail.ID], in2: -1}
		if pl, ok := placed[gr.tail.ID]; ok {
			s.outOff, s.outLD = pl.offset, channelsOf(pl.concat)
		}
		for _, n := range gr.nodes {
			s.layers = append(s.layers, n.Name())
		}
		if c.kind(gr.head) == ops.OpConcat {
			c.lowerConcat(gr.head, &s, placed, resolve)
			if len(s.parts) == 0 {
				continue // every input wrote its own channels
			}
		} else if err := c.lowerGroup(p, gr, &s, resolve); err != nil {
			return err
		}
		p.maxReads = max(p.maxReads, len(s.reads))
		for _, n := range read {
			s.deps = append(s.deps, n.ID) // node IDs until every writer is known
		}
		i := len(p.steps)
		writers[gr.tail.ID] = append(writers[gr.tail.ID], i)
		if pl, ok := placed[gr.tail.ID]; ok {
			writers[pl.concat.ID] = append(writers[pl.concat.ID], i)
		}
		p.steps = append(p.steps, s)
	}
	for i := range p.steps {
		s := &p.steps[i]
		nodes := s.deps
		s.deps = nil
		for _, id := range nodes {
			s.deps = append(s.deps, writers[id]...)
		}
	}
	return nil
}

// inPlace reports whether an element-wise step can write over its first
// input: the input is a value of its own (not the caller's) that nothing
// else reads, and the step's output is not the caller's either.
func (c *compiler) inPlace(gr *group, valueOf map[int]int) bool {
	n := gr.head
	op := &c.ops[n.ID]
	switch {
	case gr.tail == c.output || len(n.Inputs) == 0 || c.opts.Quant != nil:
		return false
	case op.Kind == ops.OpAffine, op.Kind == ops.OpActivation:
	case op.Kind == ops.OpSum && len(n.Inputs) >= 2:
	default:
		return false
	}
	in := n.Inputs[0]
	_, own := valueOf[in.ID]
	return own && in != c.input && len(c.consumers[in.ID]) == 1 && in.Shape.Equal(n.Shape)
}

// placement is where a product or depthwise step writes its output: a
// channel slice of a concatenation's value, at offset.
type placement struct {
	concat *node
	offset int
}

func channelsOf(n *node) int { return n.Shape[len(n.Shape)-1] }

// placeConcatInputs picks the inputs of channel concatenations that can be
// written straight into their channel slice of the output, gemm's LDC (or
// the depthwise kernel's output stride) skipping the other channels: the
// output of a product or depthwise step that nothing else reads. The rest
// are copied by the concatenation's step.
func (c *compiler) placeConcatInputs() map[int]placement {
	placed := map[int]placement{}
	for _, gr := range c.groups {
		cat := gr.head
		if c.kind(cat) != ops.OpConcat {
			continue
		}
		off := 0
		for _, in := range cat.Inputs {
			if c.placeable(in, cat) {
				placed[in.ID] = placement{concat: cat, offset: off}
			}
			off += channelsOf(in)
		}
	}
	return placed
}

func (c *compiler) placeable(in, cat *node) bool {
	if in == c.input || in == c.output || len(c.consumers[in.ID]) != 1 {
		return false
	}
	uses := 0
	for _, x := range cat.Inputs {
		if x == in {
			uses++
		}
	}
	gr := c.groupOf[in.ID]
	if uses != 1 || gr == nil || gr.tail != in {
		return false
	}
	k := c.kind(gr.head)
	return k == ops.OpProduct || k == ops.OpDepthwise
}

// lowerConcat makes the step that copies a concatenation's inputs that were
// not placed in its memory (none: no step at all).
func (c *compiler) lowerConcat(cat *node, s *step, placed map[int]placement, resolve func(*node) int) {
	s.kind, s.outLD = stepConcat, channelsOf(cat)
	off := 0
	for _, in := range cat.Inputs {
		ch := channelsOf(in)
		if _, ok := placed[in.ID]; !ok {
			s.parts = append(s.parts, concatPart{offset: off, channels: ch})
			s.reads = append(s.reads, resolve(in))
		}
		off += ch
	}
	s.what = fmt.Sprintf("concatenate: copy %d of %d inputs", len(s.parts), len(cat.Inputs))
}

func (c *compiler) lowerGroup(p *Plan, gr *group, s *step, resolve func(*node) int) error {
	n := gr.head
	op := &c.ops[n.ID]
	switch op.Kind {
	case ops.OpProduct:
		return c.lowerProduct(p, gr, s, resolve)
	case ops.OpDepthwise:
		return c.lowerDepthwise(p, gr, s, resolve)
	}
	for _, in := range n.Inputs {
		s.reads = append(s.reads, resolve(in))
	}
	channels := n.Shape[len(n.Shape)-1]
	switch op.Kind {
	case ops.OpAffine:
		s.kind, s.scale, s.shift = stepAffine, op.Scale, op.Shift
		if len(s.scale) != channels || len(s.shift) != channels {
			return layerErr(n, "an affine map of %d and %d values over %d channels", len(s.scale), len(s.shift), channels)
		}
		if err := finite(n, "batch normalization", s.scale, s.shift); err != nil {
			return err
		}
		s.what = "affine"
	case ops.OpActivation:
		s.kind, s.act, s.channels = stepActivation, op.Act, channels
		s.what = "activation " + op.Act.String()
	case ops.OpSum:
		s.kind, s.what = stepSum, "add"
	case ops.OpPad:
		in := n.Inputs[0].Shape
		if len(in) != 3 {
			return layerErr(n, "zero padding of a %v input, want H×W×C", in)
		}
		s.kind, s.pad, s.inHWC = stepPad, op.Pad, [3]int{in[0], in[1], in[2]}
		s.what = "zero padding"
	case ops.OpSameMemory: // the graph's output: copy it
		s.kind, s.act, s.channels, s.what = stepActivation, ops.Linear, n.Shape.Len(), "copy"
	case ops.OpKernel, ops.OpChannelScale:
		if op.Kernel.Run == nil {
			return layerErr(n, "the layer reports a kernel without a function")
		}
		if c.opts.Quant != nil && len(n.Inputs) == 1 {
			s.q = &qstep{class: n.class, inShape: n.Inputs[0].Shape}
		}
		s.kind, s.kernel, s.what = stepKernel, op.Kernel.Run, op.Kernel.What
	default:
		return layerErr(n, "the layer reports an operation the planner does not know (%d)", op.Kind)
	}
	return nil
}

// input is what a product or depthwise step reads: its own input, or the
// input of the padding it absorbed, whose zeros its geometry takes over
// (the padding is top, bottom, left, right).
func (gr *group) input() (*node, [4]int) {
	if gr.padInput != nil {
		return gr.padInput, gr.pad
	}
	return gr.head.Inputs[0], [4]int{}
}

func (c *compiler) lowerProduct(p *Plan, gr *group, s *step, resolve func(*node) int) error {
	n := gr.head
	prod := &c.ops[n.ID].Product
	geom := prod.Geometry
	in, pad := gr.input()
	if gr.padInput != nil {
		geom.H, geom.W = in.Shape[0], in.Shape[1]
	}
	geom.PadTop += pad[0]
	geom.PadBottom += pad[1]
	geom.PadLeft += pad[2]
	geom.PadRight += pad[3]
	if gr.scaleOf == nil {
		s.reads = append(s.reads, resolve(in))
	}
	geom.N = 1
	groups, dil := max(prod.Groups, 1), prod.Dilation
	dil[0], dil[1] = max(dil[0], 1), max(dil[1], 1)
	if geom.C%groups != 0 || prod.Filters%groups != 0 {
		return layerErr(n, "%d channels and %d filters do not split into %d groups", geom.C, prod.Filters, groups)
	}
	plain := groups == 1 && dil == [2]int{1, 1}
	if plain {
		if err := geom.Validate(); err != nil {
			return layerErr(n, "%v", err)
		}
	}
	s.kind, s.geom, s.act = stepProduct, geom, gr.act
	s.epi, s.rest = gr.act.Kernel()
	if gr.scaleOf != nil {
		// The input is the scaled tensor, then its factors.
		s.reads = []int{resolve(gr.scaleOf), resolve(gr.scale)}
		s.pixels = gr.scaleOf.Shape[0] * gr.scaleOf.Shape[1]
		s.packer = p.scalers
		p.scalers++
	}
	k, f := geom.KH*geom.KW*geom.C/groups, prod.Filters
	pointwise := geom.KH == 1 && geom.KW == 1 && geom.SH == 1 && geom.SW == 1 && geom.PadTop+geom.PadBottom+geom.PadLeft+geom.PadRight == 0
	switch {
	case gr.scaleOf != nil:
	case pointwise:
		s.direct = true
	case plain:
		s.packer = p.packers
		p.packers++
	default:
		pg, err := newPatchGeom(geom, groups, dil)
		if err != nil {
			return layerErr(n, "%v", err)
		}
		s.patches = &pg
		s.packer = p.patchers
		p.patchers++
	}
	if gr.residual != nil {
		s.in2 = resolve(gr.residual)
		s.reads = append(s.reads, s.in2)
	}
	if len(prod.Weights) != k*f || prod.Bias != nil && len(prod.Bias) != f {
		return layerErr(n, "the product has %d weights and %d biases, want %d×%d and %d", len(prod.Weights), len(prod.Bias), k, f, f)
	}
	w, b, err := fold(n, prod.Weights, prod.Bias, k, f, gr.affine)
	if err != nil {
		return err
	}
	if c.opts.Quant != nil {
		s.q = &qstep{w: w, k: k, class: n.class}
	}
	fg := f / groups
	for g := range groups {
		s.w = append(s.w, gemm.PackB(c.opts.Kernel, false, k, fg, w[g*fg:], f))
		p.weights += s.w[g].Bytes()
	}
	s.filters = f
	if b != nil {
		s.bias = b
		p.weights += 4 * len(b)
	}
	s.what = describeProduct(n.class, s, groups, dil)
	if gr.scaleOf != nil {
		s.what += " ×scale(" + gr.scale.Name() + ")"
	}
	return nil
}

func (c *compiler) lowerDepthwise(p *Plan, gr *group, s *step, resolve func(*node) int) error {
	n := gr.head
	dw := &c.ops[n.ID].Depthwise
	dg := dw.Geometry
	in, pad := gr.input()
	if gr.padInput != nil {
		dg.H, dg.W = in.Shape[0], in.Shape[1]
	}
	s.reads = append(s.reads, resolve(in))
	g := dwconv.Geometry{InH: dg.H, InW: dg.W, Channels: dg.C, KH: dg.KH, KW: dg.KW,
		StrideH: dg.SH, StrideW: dg.SW, DilationH: max(dg.DH, 1), DilationW: max(dg.DW, 1),
		PadTop: dg.PadTop + pad[0], PadBottom: dg.PadBottom + pad[1], PadLeft: dg.PadLeft + pad[2], PadRight: dg.PadRight + pad[3]}
	m, cm, taps := max(dg.M, 1), dg.C*max(dg.M, 1), dg.KH*dg.KW
	if len(dw.Weights) != taps*cm || dw.Bias != nil && len(dw.Bias) != cm {
		return layerErr(n, "the depthwise convolution has %d weights and %d biases, want %d×%d and %d", len(dw.Weights), len(dw.Bias), taps, cm, cm)
	}
	w, b, err := fold(n, dw.Weights, dw.Bias, taps, cm, gr.affine)
	if err != nil {
		return err
	}
	packed, err := dwconv.Pack(w, b, dg.KH, dg.KW, dg.C, m)
	if err != nil {
		return layerErr(n, "%v", err)
	}
	kern := dwconv.Selected()
	if c.opts.Depthwise != nil {
		kern = *c.opts.Depthwise
	}
	s.epi, s.rest = gr.act.Kernel()
	conv, err := dwconv.NewActivated(g, packed, s.epi, kern)
	if err != nil {
		return layerErr(n, "%v", err)
	}
	s.kind, s.dw, s.act, s.filters = stepDepthwise, conv, gr.act, cm
	s.inHWC = [3]int{g.InH, g.InW, g.Channels}
	p.scratch = max(p.scratch, conv.ScratchLen()*p.workers())
	p.weights += 4 * (len(w) + len(b))
	s.what = fmt.Sprintf("depthwise %dx%d/%d %d->%d", g.KH, g.KW, g.StrideH, g.Channels, cm)
	if g.DilationH > 1 || g.DilationW > 1 {
		s.what += fmt.Sprintf(" dilation %dx%d", g.DilationH, g.DilationW)
	}
	if b != nil {
		s.what += " +bias"
	}
	if gr.act != ops.Linear {
		s.what += " +" + gr.act.String()
	}
	return nil
}

// fold folds an affine map into a rows×cols kernel and its bias (W·scale,
// b·scale + shift per output column), checks that every value is finite,
// and returns the copies; the bias is nil when there is neither a bias nor
// an affine map.
func fold(n *node, kernel, bias []float32, rows, cols int, affine *ops.InferenceOp) (w, b []float32, err error) {
	w = append([]float32(nil), kernel...)
	if bias != nil || affine != nil {
		b = make([]float32, cols)
		copy(b, bias)
	}
	if affine != nil {
		scale, shift := affine.Scale, affine.Shift
		if len(scale) != cols || len(shift) != cols {
			return nil, nil, layerErr(n, "an affine map of %d channels follows %d output channels", len(scale), cols)
		}
		if err := finite(n, "batch normalization", scale, shift); err != nil {
			return nil, nil, err
		}
		for r := 0; r < rows; r++ {
			row := w[r*cols : (r+1)*cols]
			for j := range row {
				row[j] *= scale[j]
			}
		}
		for j := range b {
			b[j] = b[j]*scale[j] + shift[j]
		}
	}
	if err := finite(n, "weights", w, b); err != nil {
		return nil, nil, err
	}
	return w, b, nil
}

// finite reports the first NaN or infinity among the values of a layer.
func finite(n *node, what string, vals ...[]float32) error {
	for _, v := range vals {
		for i, x := range v {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return layerErr(n, "%s: value %d is %v; a plan needs finite weights", what, i, x)
			}
		}
	}
	return nil
}

// schedule orders the steps so each runs after the steps that write what it
// reads (an absorbed Add may need a shortcut created after its
// convolution), keeping graph order among the steps that are ready.
func (p *Plan) schedule() {
	done := make([]bool, len(p.steps))
	ready := func(s *step) bool {
		for _, d := range s.deps {
			if !done[d] {
				return false
			}
		}
		return true
	}
	order := make([]step, 0, len(p.steps))
	for len(order) < len(p.steps) {
		for i := range p.steps {
			if !done[i] && ready(&p.steps[i]) {
				done[i] = true
				order = append(order, p.steps[i])
				break
			}
		}
	}
	p.steps = order
}

// place gives every intermediate value an arena offset. A value lives from
// the step that writes it to the last step that reads it; values whose lives
// overlap get disjoint memory, larger values are placed first, each at the
// lowest offset that fits. Values that live and die inside the sub-batched
// prefix are laid out on their own, in the chunk arena (see chooseSubBatch).
func (p *Plan) place() {
	for i := range p.values {
		p.values[i].first, p.values[i].last = -1, -1
	}
	for i, s := range p.steps {
		if val := &p.values[s.out]; val.first < 0 {
			val.first = i // the first of its writers
		}
		for _, v := range s.reads {
			if v >= 0 {
				p.values[v].last = i
			}
		}
	}
	var whole, chunked []int
	for v := range p.values {
		val := &p.values[v]
		if v == p.input || v == p.output || val.first < 0 {
			continue
		}
		val.last = max(val.last, val.first)
		val.inChunk = val.last < p.prefix
		if val.inChunk {
			chunked = append(chunked, v)
		} else {
			whole = append(whole, v)
		}
	}
	p.arena = p.layOut(whole)
	p.chunkArena = p.layOut(chunked)
}

// layOut places the values of one arena and returns its per-sample length.
func (p *Plan) layOut(order []int) int {
	sort.SliceStable(order, func(a, b int) bool { return p.values[order[a]].size > p.values[order[b]].size })
	var placed []int
	length := 0
	for _, v := range order {
		val := &p.values[v]
		// Candidate offsets: zero and the end of every value alive together.
		offset := 0
		for moved := true; moved; {
			moved = false
			for _, u := range placed {
				o := &p.values[u]
				if o.first <= val.last && val.first <= o.last && // alive together
					o.offset < offset+val.size && offset < o.offset+o.size { // overlapping memory
					offset = o.offset + o.size
					moved = true
				}
			}
		}
		val.offset = offset
		length = max(length, offset+val.size)
		placed = append(placed, v)
	}
	return length
}

// Sub-batching. A batch's activations in the early stages are several MiB
// per layer (15×15×256 values per image in stage 2 of ResNet50 at 64×64),
// so a large batch streams every one of them through memory, while those
// layers' weights are small. Running the leading steps in chunks of a few
// images keeps their activations in the caches; the weights they re-read
// per chunk are kept few by ending the prefix before the weights grow.
const (
	defaultSubBatch  = 8       // images per chunk
	maxPrefixWeights = 8 << 20 // bytes of packed weights the prefix may re-read per chunk
)

// chooseSubBatch picks the prefix of steps that runs chunk by chunk: the
// longest run of leading steps whose weights fit in maxPrefixWeights (for
// a small network, all of them: the batch then runs chunk by chunk).
func (p *Plan) chooseSubBatch() {
	p.chunk = p.opts.SubBatch
	if p.chunk == 0 {
		p.chunk = defaultSubBatch
	}
	if p.chunk < 0 {
		p.chunk, p.prefix = 0, 0
		return
	}
	weights := 0
	for i := range p.steps {
		weights += p.steps[i].weightBytes()
		if weights > maxPrefixWeights {
			break
		}
		p.prefix = i + 1
	}
	if p.prefix == 0 {
		p.chunk = 0
	}
}
