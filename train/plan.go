package train

import (
	"fmt"
	"math"

	"github.com/simdnet/simdnet/ops"
)

// noNode marks the absence of a node in the plan's per-node tables.
const noNode = -1

// gradView says where a node's output gradient lives: in the buffer that
// node owner holds, masked by mask's output (> 0 selects a value), or
// unmasked when mask is noNode. A node that owns its buffer has owner equal
// to its own ID.
type gradView struct {
	owner, mask int
}

// edge is one use of a node's output: input index Input of node Consumer.
type edge struct {
	Consumer *ops.Node
	Input    int
}

// plan is what a graph needs for training, worked out once and valid for
// every batch size.
type plan struct {
	g      *ops.Graph
	nodes  []*ops.Node // nodes that feed the output, in topological order
	input  *ops.Node
	output *ops.Node
	// logitsOut means the output layer's softmax is left to the loss: its
	// forward runs without the activation and its backward is linear.
	logitsOut bool

	needGrad  []bool   // by node ID: the output gradient is computed
	consumers [][]edge // by node ID, only among nodes feeding the output
	// reluOf is, by node ID, the ReLU node whose output this node's forward
	// writes (BatchNormalization or Add followed only by a ReLU), or noNode.
	// Such a node has no output tensor of its own, and the ReLU's forward
	// is skipped.
	reluOf []int
	// reluCap is, by node ID, the cap of the ReLU a BatchNormalization's
	// forward computes (see reluOf): 6 for a fused ReLU6, +Inf otherwise.
	// A capped ReLU owns its gradient buffer and zeroes it where its
	// output reached the cap before the producer reads it masked.
	reluCap []float32
	fusedBy []int // by node ID: for a ReLU, the producer that computes it, or noNode
	// normInAdd is, by node ID, whether a BatchNormalization feeds only an
	// Add fused with its ReLU: the BN then only measures its statistics and
	// the Add normalises as it sums, so the BN's output is never stored.
	normInAdd []bool
	view      []gradView
	// accum is, by node ID and input index, whether the gradient written
	// for that input adds to what an earlier-processed consumer wrote.
	accum [][]bool

	slot     []int // by node ID: the gradient buffer a node owns, or noNode
	slotSize []int // per-sample length of each gradient buffer
	state    []any // by node ID: per-layer state that outlives one step
	params   []*ops.Param
	grads    [][]float32 // by trainable parameter, aligned with params
	gradOf   map[*ops.Param][]float32
	prof     *profiler // set while Profile times steps, nil otherwise
}

// planOptions widen a plan for tests.
type planOptions struct {
	inputGrad bool // also compute the gradient of the model input
	rawOutput bool // any output layer, its output taken as is (no loss head)
}

// newPlan checks that every layer feeding g's output has a backward pass and
// works out the plan.
func newPlan(g *ops.Graph, opt planOptions) (*plan, error) {
	if err := g.Build(); err != nil {
		return nil, err
	}
	p := &plan{g: g, input: g.InputNode(), output: g.OutputNode()}
	all := g.Nodes()
	n := len(all)
	live := make([]bool, n)
	live[p.output.ID] = true
	for i := n - 1; i >= 0; i-- { // creation order is topological
		if live[i] {
			for _, in := range all[i].Inputs {
				live[in.ID] = true
			}
		}
	}
	p.needGrad = make([]bool, n)
	p.consumers = make([][]edge, n)
	p.reluOf, p.fusedBy = fill(n, noNode), fill(n, noNode)
	p.reluCap = make([]float32, n)
	for i := range p.reluCap {
		p.reluCap[i] = float32(math.Inf(1))
	}
	p.normInAdd = make([]bool, n)
	p.view = make([]gradView, n)
	p.accum = make([][]bool, n)
	p.slot = fill(n, noNode)
	p.state = make([]any, n)
	for _, nd := range all {
		if !live[nd.ID] {
			continue
		}
		p.nodes = append(p.nodes, nd)
		if err := supported(nd); err != nil {
			return nil, err
		}

		for i, in := range nd.Inputs {
			p.consumers[in.ID] = append(p.consumers[in.ID], edge{nd, i})
		}
		p.accum[nd.ID] = make([]bool, len(nd.Inputs))
	}
	if !opt.rawOutput {
		if err := p.checkOutput(); err != nil {
			return nil, err
		}
	}
	p.markGrads(opt.inputGrad)
	p.fuseReLUs()
	p.assignViews()
	p.assignSlots()
	p.makeState()
	return p, nil
}

func fill(n, v int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = v
	}
	return s
}

// supported reports a layer the backward pass does not know.
func supported(nd *ops.Node) error {
	switch l := nd.Layer.(type) {
	case *ops.Conv2D:
		return nil // grouped, dilated and activated ones: see generalConv
	case *ops.Dense:
		if !needsInput(l.Activation) {
			return nil
		}
		return fmt.Errorf("train: layer %q (Dense) with activation=%v has no backward pass: the derivative needs the pre-activation; use a linear Dense and an Activation layer", l.LayerName(), l.Activation)
	case *ops.Input, *ops.BatchNormalization, *ops.Add, *ops.MaxPooling2D, *ops.AveragePooling2D,
		*ops.GlobalAveragePooling2D,
		*ops.GlobalMaxPooling2D, *ops.ZeroPadding2D, *ops.Flatten:
		return nil
	case *ops.Activation:
		return nil // every function: see actGrad and softmaxBackward
	}
	if t, ok := trainingOf(nd); ok {
		if t.check != nil {
			return t.check(nd)
		}
		return nil
	}
	return fmt.Errorf("train: layer %q (%s) has no backward pass", nd.Name(), nd.Layer.Class())
}

// checkOutput requires a classifier head: an output that ends in softmax,
// whose logits the loss takes, or a linear output taken as logits.
func (p *plan) checkOutput() error {
	out := p.output
	if len(out.Shape) != 1 {
		return fmt.Errorf("train: output %q has shape %v, want (None, classes)", out.Name(), out.Shape.Keras())
	}
	act, ok := out.Layer.(ops.Activated)
	if !ok {
		return fmt.Errorf("train: output layer %q (%s) must be Dense or Activation", out.Name(), out.Layer.Class())
	}
	switch act.OutputActivation() {
	case ops.Softmax:
		p.logitsOut = true
	case ops.Linear:
	default:
		return fmt.Errorf("train: output layer %q ends in %v; want softmax or linear logits", out.Name(), act.OutputActivation())
	}
	return nil
}

// markGrads marks the nodes whose output gradient is needed: those with
// trainable weights or downstream of one, and the input when asked. The
// first convolution therefore computes no input gradient.
func (p *plan) markGrads(inputGrad bool) {
	p.needGrad[p.input.ID] = inputGrad
	for _, nd := range p.nodes {
		if nd == p.input {
			continue
		}
		need := false
		for _, w := range nd.Layer.Params() {
			need = need || w.Trainable
		}
		for _, in := range nd.Inputs {
			need = need || p.needGrad[in.ID]
		}
		p.needGrad[nd.ID] = need
	}
}

// isReLU reports whether nd computes a plain ReLU: an Activation layer or
// a ReLU layer without parameters.
func isReLU(nd *ops.Node) bool {
	c, ok := reluCapOf(nd)
	return ok && math.IsInf(float64(c), 1)
}

// reluCapOf reports whether nd computes a ReLU or a ReLU6 (as an
// Activation or a ReLU layer), and its cap: +Inf or 6.
func reluCapOf(nd *ops.Node) (float32, bool) {
	var f ops.ActFunc
	switch l := nd.Layer.(type) {
	case *ops.Activation:
		f = l.Func
	case *ops.ReLULayer:
		var ok bool
		if f, ok = l.ActFunc(); !ok {
			return 0, false
		}
	default:
		return 0, false
	}
	switch f {
	case ops.ReLU:
		return float32(math.Inf(1)), true
	case ops.ReLU6:
		return 6, true
	}
	return 0, false
}

// cappedFused reports whether nd is a ReLU6 its producer computes.
func (p *plan) cappedFused(nd *ops.Node) bool {
	prod := p.fusedBy[nd.ID]
	return prod != noNode && !math.IsInf(float64(p.reluCap[prod]), 1)
}

// passThrough reports whether nd's backward hands its output gradient to
// its inputs unchanged.
func (p *plan) passThrough(nd *ops.Node) bool {
	switch l := nd.Layer.(type) {
	case *ops.Add:
		return !ops.Broadcasts(nd)
	case *ops.Flatten:
		return true
	case *ops.Activation:
		return l.Func == ops.Linear || (nd == p.output && p.logitsOut)
	}
	return false
}

// soleConsumer returns the one use of nd's output, if it has exactly one.
func (p *plan) soleConsumer(nd *ops.Node) (edge, bool) {
	if cs := p.consumers[nd.ID]; len(cs) == 1 {
		return cs[0], true
	}
	return edge{}, false
}

// makeState allocates what layers keep between the forward and backward
// passes and the parameter gradients: a convolution's kernel and bias
// gradients share one block, laid out as the rows of one product.
func (p *plan) makeState() {
	p.gradOf = map[*ops.Param][]float32{}
	for _, nd := range p.nodes {
		switch l := nd.Layer.(type) {
		case *ops.BatchNormalization:
			p.state[nd.ID] = newBNState(l.Channels())
		case *ops.Add:
			p.state[nd.ID] = newAddState(len(nd.Inputs), nd.Shape[len(nd.Shape)-1])
		case *ops.Conv2D:
			if isGeneralConv(l) {
				break // gradients allocated below
			}
			k, f := l.Kernel.Len(), l.Filters
			n := k
			if l.Bias != nil {
				n += f
			}
			buf := make([]float32, n)
			p.gradOf[l.Kernel] = buf[:k]
			if l.Bias != nil {
				p.gradOf[l.Bias] = buf[k:]
			}
			p.state[nd.ID] = &convState{grad: buf}
		}
		for _, w := range nd.Layer.Params() {
			if !w.Trainable {
				continue
			}
			if _, ok := p.gradOf[w]; !ok {
				p.gradOf[w] = make([]float32, w.Len())
			}
		}
	}
	for _, np := range trainable(Params(p.g)) {
		p.params = append(p.params, np.Param)
		p.grads = append(p.grads, p.gradOf[np.Param])
	}
}
