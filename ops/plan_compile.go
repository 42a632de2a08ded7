package ops

import (
	"context"
	"math"
	"sort"

	"github.com/simdnet/simdnet/gemm"
)

// group is a run of graph nodes that Compile turns into one step: a head
// layer and the single-consumer layers after it that fold into it.
type group struct {
	head     *Node
	tail     *Node   // the node whose output the step writes
	nodes    []*Node // head first
	pad      *ZeroPadding2D
	padInput *Node // the padding's input, when a padding was absorbed
	bn       *BatchNormalization
	residual *Node // Add's other term, when an Add was absorbed
	relu     bool
}

// Compile turns a built graph into an inference plan. The graph's current
// weights are copied, folded and packed; the graph itself is not changed.
// It fails, naming the layer, on a layer the planner does not know or on
// weights that are not finite.
func Compile(g *Graph, opts PlanOptions) (*Plan, error) {
	return CompileContext(context.Background(), g, opts)
}

// CompileContext is Compile that gives up when ctx is done, checking it
// before each layer's weights are folded and packed; it then returns
// ctx.Err().
func CompileContext(ctx context.Context, g *Graph, opts PlanOptions) (*Plan, error) {
	if err := g.Build(); err != nil {
		return nil, err
	}
	c := compiler{ctx: ctx, g: g, opts: opts, consumers: make([][]*Node, len(g.nodes)), groupOf: map[int]*group{}}
	for _, n := range g.nodes {
		for _, in := range n.Inputs {
			c.consumers[in.ID] = append(c.consumers[in.ID], n)
		}
	}
	if err := c.fuse(); err != nil {
		return nil, err
	}
	p := &Plan{name: g.Name, in: g.input.Shape.Clone(), out: g.output.Shape.Clone(), opts: opts}
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
	p.arenas = newArenaPool(idle, p.packers)
	return p, nil
}

type compiler struct {
	ctx       context.Context
	g         *Graph
	opts      PlanOptions
	consumers [][]*Node
	groups    []*group
	groupOf   map[int]*group // node ID → the group that absorbed it
}

// soleConsumer returns the one node that reads n, or nil if n has several
// readers, is the graph's output (whose value the caller must see), or its
// reader already belongs to another group (the other branch of an Add).
func (c *compiler) soleConsumer(n *Node) *Node {
	if n == c.g.output || len(c.consumers[n.ID]) != 1 {
		return nil
	}
	next := c.consumers[n.ID][0]
	if c.groupOf[next.ID] != nil {
		return nil
	}
	return next
}

func isReLU(n *Node) bool {
	a, ok := n.Layer.(*Activation)
	return ok && a.Func == ReLU
}

// fuse groups the nodes: ZeroPadding2D into the convolution it feeds, and
// after a convolution its BatchNormalization, then a ReLU, or an Add (the
// residual) and the ReLU after it.
func (c *compiler) fuse() error {
	for _, n := range c.g.nodes {
		if n == c.g.input || c.groupOf[n.ID] != nil {
			continue
		}
		gr := &group{head: n, tail: n, nodes: []*Node{n}}
		c.groups = append(c.groups, gr)
		c.groupOf[n.ID] = gr
		_, ok := n.Layer.(*Conv2D)
		if !ok {
			continue
		}
		if zp, ok := n.Inputs[0].Layer.(*ZeroPadding2D); ok && len(c.consumers[n.Inputs[0].ID]) == 1 && n.Inputs[0] != c.g.output {
			// The padding group was made when its node came up; undo it.
			padNode := n.Inputs[0]
			c.dropGroup(c.groupOf[padNode.ID])
			gr.pad, gr.padInput = zp, padNode.Inputs[0]
			gr.nodes = append([]*Node{padNode}, gr.nodes...)
			c.groupOf[padNode.ID] = gr
		}
		absorb := func(x *Node) {
			gr.nodes = append(gr.nodes, x)
			gr.tail = x
			c.groupOf[x.ID] = gr
		}
		if next := c.soleConsumer(gr.tail); next != nil {
			if bn, ok := next.Layer.(*BatchNormalization); ok {
				gr.bn = bn
				absorb(next)
			}
		}
		next := c.soleConsumer(gr.tail)
		switch {
		case next == nil:
		case isReLU(next):
			gr.relu = true
			absorb(next)
		case isAdd2(next):
			other := next.Inputs[0]
			if other == gr.tail {
				other = next.Inputs[1]
			}
			gr.residual = other
			absorb(next)
			if r := c.soleConsumer(next); r != nil && isReLU(r) {
				gr.relu = true
				absorb(r)
			}
		}
	}
	return nil
}

func isAdd2(n *Node) bool {
	_, ok := n.Layer.(*Add)
	return ok && len(n.Inputs) == 2 && n.Inputs[0] != n.Inputs[1]
}

func (c *compiler) dropGroup(gr *group) {
	for i, x := range c.groups {
		if x == gr {
			c.groups = append(c.groups[:i], c.groups[i+1:]...)
			return
		}
	}
}

// lower turns each group into a step over numbered values.
func (c *compiler) lower(p *Plan) error {
	valueOf := map[int]int{} // node ID → value index
	newValue := func(n *Node) int {
		p.values = append(p.values, value{name: n.Name(), size: n.Shape.Len()})
		valueOf[n.ID] = len(p.values) - 1
		return len(p.values) - 1
	}
	p.input = newValue(c.g.input)
	// Flatten of an NHWC tensor is the same memory: it names its input's value.
	for _, gr := range c.groups {
		if _, ok := gr.head.Layer.(*Flatten); ok && gr.head != c.g.output {
			continue
		}
		newValue(gr.tail)
	}
	p.output = valueOf[c.g.output.ID]
	resolve := func(n *Node) int {
		for {
			if v, ok := valueOf[n.ID]; ok {
				return v
			}
			if _, ok := n.Layer.(*Flatten); !ok {
				// Only a group's last node is stored; fusion never lets
				// another step read from the middle of a group.
				panic("ops: plan reads " + n.Name() + ", which a fused step does not keep")
			}
			n = n.Inputs[0]
		}
	}
	for _, gr := range c.groups {
		if _, ok := gr.head.Layer.(*Flatten); ok && gr.head != c.g.output {
			continue
		}
		if err := c.ctx.Err(); err != nil {
			return err
		}
		s := step{in2: -1, out: valueOf[gr.tail.ID]}
		for _, n := range gr.nodes {
			s.layers = append(s.layers, n.Name())
		}
		if err := c.lowerGroup(p, gr, &s, resolve); err != nil {
			return err
		}
		p.steps = append(p.steps, s)
	}
	return nil
}

func (c *compiler) lowerGroup(p *Plan, gr *group, s *step, resolve func(*Node) int) error {
	n := gr.head
	in := n.Inputs[0]
	if gr.pad != nil {
		in = gr.padInput
	}
	s.in = resolve(in)
	switch l := n.Layer.(type) {
	case *Conv2D:
		return c.lowerConv(p, gr, l, s, in, resolve)
	case *Dense:
		s.kind, s.act, s.relu = stepDense, l.Activation, l.Activation == ReLU
		if c.opts.Logits && n == c.g.output {
			s.act = Linear
		}
		return c.packWeights(p, s, l, l.Kernel.Value, paramValue(l.Bias), nil, l.Kernel.Shape[0], l.Units)
	case *MaxPooling2D, *AveragePooling2D:
		s.kind = stepPool
		cfg, op := poolConfig(l)
		pg, err := cfg.geometry(l, []Shape{in.Shape})
		if err != nil {
			return err
		}
		pg.n = 1
		s.pool, s.poolOp = pg, op
	case *GlobalAveragePooling2D:
		s.kind, s.poolOp, s.channels = stepGlobalPool, poolAvg, in.Shape[len(in.Shape)-1]
	case *GlobalMaxPooling2D:
		s.kind, s.poolOp, s.channels = stepGlobalPool, poolMax, in.Shape[len(in.Shape)-1]
	case *BatchNormalization:
		s.kind = stepAffine
		s.scale, s.shift = make([]float32, l.Channels()), make([]float32, l.Channels())
		if err := l.InferenceAffine(s.scale, s.shift); err != nil {
			return err
		}
		if err := finite(l, "batch normalization", s.scale, s.shift); err != nil {
			return err
		}
	case *Activation:
		s.kind, s.act, s.channels = stepActivation, l.Func, n.Shape[len(n.Shape)-1]
		if c.opts.Logits && n == c.g.output {
			s.act = Linear
		}
	case *Add:
		if len(n.Inputs) != 2 {
			return layerErr(l, "the planner adds two tensors, this Add has %d", len(n.Inputs))
		}
		s.kind, s.in2 = stepAdd, resolve(n.Inputs[1])
	case *ZeroPadding2D:
		s.kind = stepPad
		s.pad = [4]int{l.Top, l.Bottom, l.Left, l.Right}
		s.inHWC = [3]int{in.Shape[0], in.Shape[1], in.Shape[2]}
	case *Flatten: // the graph's output: copy it
		s.kind, s.act, s.channels = stepActivation, Linear, n.Shape.Len()
	default:
		return layerErr(n.Layer, "the inference planner does not support %s layers", n.Layer.Class())
	}
	return nil
}

func poolConfig(l Layer) (Pool2DConfig, poolOp) {
	if m, ok := l.(*MaxPooling2D); ok {
		return m.Pool2DConfig, poolMax
	}
	return l.(*AveragePooling2D).Pool2DConfig, poolAvg
}

func paramValue(p *Param) []float32 {
	if p == nil {
		return nil
	}
	return p.Value
}

func (c *compiler) lowerConv(p *Plan, gr *group, l *Conv2D, s *step, in *Node, resolve func(*Node) int) error {
	shape := gr.head.Inputs[0].Shape // the convolution's own input, padded or not
	geom, err := l.Geometry(1, shape)
	if err != nil {
		return err
	}
	if gr.pad != nil {
		// The padding's zeros become the packer's: no padded copy is made.
		geom.H, geom.W = in.Shape[0], in.Shape[1]
		geom.PadTop += gr.pad.Top
		geom.PadBottom += gr.pad.Bottom
		geom.PadLeft += gr.pad.Left
		geom.PadRight += gr.pad.Right
	}
	s.kind, s.geom, s.relu = stepConv, geom, gr.relu
	s.direct = geom.Pointwise() && geom.SH == 1 && geom.SW == 1
	if !s.direct {
		s.packer = p.packers
		p.packers++
	}
	if gr.residual != nil {
		s.in2 = resolve(gr.residual)
	}
	k := geom.KH * geom.KW * geom.C
	return c.packWeights(p, s, l, l.Kernel.Value, paramValue(l.Bias), gr.bn, k, l.Filters)
}

// packWeights folds a BatchNormalization into a k×n kernel and its bias
// (W·scale, b·scale + shift per output channel), checks that every value is
// finite, and packs the kernel for the gemm micro-kernel.
func (c *compiler) packWeights(p *Plan, s *step, l Layer, kernel, bias []float32, bn *BatchNormalization, k, n int) error {
	w := append([]float32(nil), kernel...)
	b := make([]float32, n)
	copy(b, bias)
	if bn != nil {
		scale, shift := make([]float32, n), make([]float32, n)
		if err := bn.InferenceAffine(scale, shift); err != nil {
			return err
		}
		if err := finite(bn, "batch normalization", scale, shift); err != nil {
			return err
		}
		for r := 0; r < k; r++ {
			row := w[r*n : (r+1)*n]
			for j := range row {
				row[j] *= scale[j]
			}
		}
		for j := range b {
			b[j] = b[j]*scale[j] + shift[j]
		}
	}
	if err := finite(l, "weights", w, b); err != nil {
		return err
	}
	s.w = gemm.PackB(c.opts.Kernel, false, k, n, w, n)
	if bias != nil || bn != nil {
		s.bias = b
	}
	p.weights += s.w.Bytes() + 4*len(s.bias)
	return nil
}

// finite reports the first NaN or infinity among the values of a layer.
func finite(l Layer, what string, vals ...[]float32) error {
	for _, v := range vals {
		for i, x := range v {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return layerErr(l, "%s: value %d is %v; a plan needs finite weights", what, i, x)
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
		for _, v := range []int{s.in, s.in2} {
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
		for _, v := range []int{s.in, s.in2} {
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
