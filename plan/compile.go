package plan

import (
	"context"
	"fmt"
	"math"
	"sort"

	"github.com/simdnet/simdnet/gemm"
	"github.com/simdnet/simdnet/ops"
)

// group is a run of graph nodes that Compile turns into one step: a head
// and the single-consumer nodes after it that fold into it.
type group struct {
	head     *ops.Node
	tail     *ops.Node   // the node whose output the step writes
	nodes    []*ops.Node // head first
	pad      [4]int      // a zero padding absorbed before a product
	padInput *ops.Node   // the padding's input, when a padding was absorbed
	affine   *ops.InferenceOp
	residual *ops.Node   // a sum's other term, when a sum was absorbed
	act      ops.ActFunc // the activation after the product (and residual)
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
	nodes := g.Nodes()
	c := compiler{ctx: ctx, g: g, opts: opts, nodes: nodes, input: g.InputNode(), output: g.OutputNode(),
		consumers: make([][]*ops.Node, len(nodes)), ops: make([]ops.InferenceOp, len(nodes)), groupOf: map[int]*group{}}
	for _, n := range nodes {
		for _, in := range n.Inputs {
			c.consumers[in.ID] = append(c.consumers[in.ID], n)
		}
	}
	if err := c.describe(); err != nil {
		return nil, err
	}
	c.fuse()
	p := &Plan{name: g.Name, in: c.input.Shape.Clone(), out: c.output.Shape.Clone(), opts: opts}
	if p.name == "" {
		p.name = "model"
	}
	if err := c.lower(p); err != nil {
		return nil, err
	}
	p.schedule()
	p.chooseSubBatch()
	p.place()
	idle := opts.ArenaIdle
	if idle == 0 {
		idle = DefaultArenaIdle
	}
	p.arenas = newArenaPool(idle, p.packers, p.maxReads)
	return p, nil
}

type compiler struct {
	ctx           context.Context
	g             *ops.Graph
	opts          Options
	nodes         []*ops.Node
	input, output *ops.Node
	consumers     [][]*ops.Node
	ops           []ops.InferenceOp // by node ID: what each layer computes
	groups        []*group
	groupOf       map[int]*group // node ID → the group that absorbed it
}

// describe asks every layer that feeds the output what it computes.
func (c *compiler) describe() error {
	for _, n := range c.nodes {
		if n == c.input {
			continue
		}
		l, ok := n.Layer.(ops.InferenceLayer)
		if !ok {
			return layerErr(n, "the inference planner does not support %s layers (no Inference method)", n.Layer.Class())
		}
		shapes := make([]ops.Shape, len(n.Inputs))
		for i, in := range n.Inputs {
			shapes[i] = in.Shape
		}
		op, err := l.Inference(shapes...)
		if err != nil {
			return err
		}
		if c.opts.Logits && n == c.output && (op.Kind == ops.OpActivation || op.Kind == ops.OpProduct) {
			// The logits: the output layer without its activation.
			op.Act, op.Product.Act = ops.Linear, ops.Linear
		}
		c.ops[n.ID] = op
	}
	return nil
}

func layerErr(n *ops.Node, format string, args ...any) error {
	return fmt.Errorf("plan: layer %q (%s): %s", n.Name(), n.Layer.Class(), fmt.Sprintf(format, args...))
}

func (c *compiler) kind(n *ops.Node) ops.OpKind { return c.ops[n.ID].Kind }

// soleConsumer returns the one node that reads n, or nil if n has several
// readers, is the graph's output (whose value the caller must see), or its
// reader already belongs to another group (the other branch of a sum).
func (c *compiler) soleConsumer(n *ops.Node) *ops.Node {
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
func (c *compiler) fusibleAct(n *ops.Node) bool {
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
		gr := &group{head: n, tail: n, nodes: []*ops.Node{n}}
		c.groups = append(c.groups, gr)
		c.groupOf[n.ID] = gr
		if c.kind(n) != ops.OpProduct {
			continue
		}
		if pad := n.Inputs[0]; c.kind(pad) == ops.OpPad && pad != c.input && len(c.consumers[pad.ID]) == 1 && pad != c.output {
			// The padding's group was made when its node came up; undo it.
			c.dropGroup(c.groupOf[pad.ID])
			gr.pad, gr.padInput = c.ops[pad.ID].Pad, pad.Inputs[0]
			gr.nodes = append([]*ops.Node{pad}, gr.nodes...)
			c.groupOf[pad.ID] = gr
		}
		absorb := func(x *ops.Node) {
			gr.nodes = append(gr.nodes, x)
			gr.tail = x
			c.groupOf[x.ID] = gr
		}
		if act := c.ops[n.ID].Product.Act; act != ops.Linear {
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
		case c.isSum2(next):
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

func (c *compiler) isSum2(n *ops.Node) bool {
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
	newValue := func(n *ops.Node) int {
		p.values = append(p.values, value{name: n.Name(), size: n.Shape.Len()})
		valueOf[n.ID] = len(p.values) - 1
		return len(p.values) - 1
	}
	p.input = newValue(c.input)
	for _, gr := range c.groups {
		if !c.aliased(gr) {
			newValue(gr.tail)
		}
	}
	p.output = valueOf[c.output.ID]
	resolve := func(n *ops.Node) int {
		for {
			if v, ok := valueOf[n.ID]; ok {
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
		s := step{out: valueOf[gr.tail.ID], in2: -1}
		for _, n := range gr.nodes {
			s.layers = append(s.layers, n.Name())
		}
		if err := c.lowerGroup(p, gr, &s, resolve); err != nil {
			return err
		}
		p.maxReads = max(p.maxReads, len(s.reads))
		p.steps = append(p.steps, s)
	}
	return nil
}

func (c *compiler) lowerGroup(p *Plan, gr *group, s *step, resolve func(*ops.Node) int) error {
	n := gr.head
	op := &c.ops[n.ID]
	if op.Kind == ops.OpProduct {
		return c.lowerProduct(p, gr, s, resolve)
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
	case ops.OpKernel:
		if op.Kernel.Run == nil {
			return layerErr(n, "the layer reports a kernel without a function")
		}
		s.kind, s.kernel, s.what = stepKernel, op.Kernel.Run, op.Kernel.What
	default:
		return layerErr(n, "the layer reports an operation the planner does not know (%d)", op.Kind)
	}
	return nil
}

func (c *compiler) lowerProduct(p *Plan, gr *group, s *step, resolve func(*ops.Node) int) error {
	n := gr.head
	prod := &c.ops[n.ID].Product
	geom := prod.Geometry
	if gr.padInput != nil {
		// The padding's zeros become the packer's: no padded copy is made.
		in := gr.padInput.Shape
		geom.H, geom.W = in[0], in[1]
		geom.PadTop += gr.pad[0]
		geom.PadBottom += gr.pad[1]
		geom.PadLeft += gr.pad[2]
		geom.PadRight += gr.pad[3]
	}
	in := n.Inputs[0]
	if gr.padInput != nil {
		in = gr.padInput
	}
	s.reads = append(s.reads, resolve(in))
	geom.N = 1
	if err := geom.Validate(); err != nil {
		return layerErr(n, "%v", err)
	}
	s.kind, s.geom, s.act = stepProduct, geom, gr.act
	s.direct = geom.Pointwise() && geom.SH == 1 && geom.SW == 1 && geom.PadTop+geom.PadBottom+geom.PadLeft+geom.PadRight == 0
	if !s.direct {
		s.packer = p.packers
		p.packers++
	}
	if gr.residual != nil {
		s.in2 = resolve(gr.residual)
		s.reads = append(s.reads, s.in2)
	}
	if err := c.packWeights(p, s, n, prod, gr.affine); err != nil {
		return err
	}
	s.what = describeProduct(n.Layer.Class(), s)
	return nil
}

// packWeights folds an affine map into a k×n kernel and its bias
// (W·scale, b·scale + shift per output channel), checks that every value is
// finite, and packs the kernel for the gemm micro-kernel.
func (c *compiler) packWeights(p *Plan, s *step, n *ops.Node, prod *ops.Product, affine *ops.InferenceOp) error {
	k, f := prod.Geometry.Cols(), prod.Filters
	if len(prod.Weights) != k*f || prod.Bias != nil && len(prod.Bias) != f {
		return layerErr(n, "the product has %d weights and %d biases, want %d×%d and %d", len(prod.Weights), len(prod.Bias), k, f, f)
	}
	w := append([]float32(nil), prod.Weights...)
	b := make([]float32, f)
	copy(b, prod.Bias)
	if affine != nil {
		scale, shift := affine.Scale, affine.Shift
		if len(scale) != f || len(shift) != f {
			return layerErr(n, "an affine map of %d channels follows %d filters", len(scale), f)
		}
		if err := finite(n, "batch normalization", scale, shift); err != nil {
			return err
		}
		for r := 0; r < k; r++ {
			row := w[r*f : (r+1)*f]
			for j := range row {
				row[j] *= scale[j]
			}
		}
		for j := range b {
			b[j] = b[j]*scale[j] + shift[j]
		}
	}
	if err := finite(n, "weights", w, b); err != nil {
		return err
	}
	s.w = gemm.PackB(c.opts.Kernel, false, k, f, w, f)
	if prod.Bias != nil || affine != nil {
		s.bias = b
	}
	p.weights += s.w.Bytes() + 4*len(s.bias)
	return nil
}

// finite reports the first NaN or infinity among the values of a layer.
func finite(n *ops.Node, what string, vals ...[]float32) error {
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
	writer := make([]int, len(p.values))
	for i := range writer {
		writer[i] = -1
	}
	for i, s := range p.steps {
		writer[s.out] = i
	}
	done := make([]bool, len(p.steps))
	ready := func(s *step) bool {
		for _, v := range s.reads {
			if v >= 0 && writer[v] >= 0 && !done[writer[v]] {
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
		p.values[s.out].first = i
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
		if w := p.steps[i].w; w != nil {
			weights += w.Bytes()
		}
		if weights > maxPrefixWeights {
			break
		}
		p.prefix = i + 1
	}
	if p.prefix == 0 {
		p.chunk = 0
	}
}
