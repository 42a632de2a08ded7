package train

import (
	"reflect"

	"github.com/simdnet/simdnet/ops"
)

// The training passes of layers outside the core set (convolution,
// BatchNormalization, Dense, pooling, Add, Activation, ...) are registered
// by layer type, each from its own file's init function, so that adding a
// layer touches one place and ops learns nothing about training:
//
//	func init() {
//		register[*ops.Concatenate](layerTraining{backward: concatBackward})
//	}

// layerTraining is what the trainer needs of one layer type.
type layerTraining struct {
	// check refuses a configuration the backward pass does not cover, with
	// an error naming the layer; nil accepts all.
	check func(nd *ops.Node) error
	// newState returns what the node keeps between its forward and
	// backward passes for batches of the given size, or nil; it is made
	// again when the batch size changes.
	newState func(nd *ops.Node, batch int) any
	// forward runs the node in Training mode when the layer's own Forward
	// does not keep what backward needs; nil runs Forward.
	forward func(c *forwardCtx) error
	// backward writes (or adds, where Accum says) the gradient of each
	// input that wants one and overwrites the gradients of the layer's
	// trainable parameters.
	backward func(c *backwardCtx)
}

// forwardCtx is one node's training forward.
type forwardCtx struct {
	nd    *ops.Node
	in    []*ops.Tensor
	out   *ops.Tensor
	mode  ops.Mode
	state any
}

// backwardCtx is one node's backward pass: its forward values, its output
// gradient dy, and where its input and parameter gradients go.
type backwardCtx struct {
	nd    *ops.Node
	in    []*ops.Tensor // the inputs' forward values
	out   *ops.Tensor   // the node's forward output
	dy    []float32     // the gradient of the node's output
	dx    [][]float32   // by input: its gradient buffer, nil when not needed
	accum []bool        // by input: add to dx rather than overwrite it
	state any
	tmp   []float32 // one node output's worth of scratch
	grad  func(*ops.Param) []float32
}

var trainings = map[reflect.Type]layerTraining{}

// register makes the layer type L trainable; it is for init functions.
func register[L ops.Layer](t layerTraining) {
	typ := reflect.TypeFor[L]()
	if _, dup := trainings[typ]; dup {
		panic("train: " + typ.String() + " registered twice")
	}
	trainings[typ] = t
}

// trainingOf returns the registered training passes of nd's layer.
func trainingOf(nd *ops.Node) (layerTraining, bool) {
	t, ok := trainings[reflect.TypeOf(nd.Layer)]
	return t, ok
}

// registeredState is a node's registered state and the batch size it was
// made for.
type registeredState struct {
	batch int
	state any
}

// stateFor returns nd's registered state for ws's batch size, making it
// on first use.
func (p *plan) stateFor(ws *workspace, nd *ops.Node, t layerTraining) any {
	if t.newState == nil {
		return nil
	}
	rs, _ := ws.regState[nd.ID].(*registeredState)
	if rs == nil || rs.batch != ws.batch {
		rs = &registeredState{batch: ws.batch, state: t.newState(nd, ws.batch)}
		ws.regState[nd.ID] = rs
	}
	return rs.state
}

// forwardRegistered runs a registered layer's training forward.
func (p *plan) forwardRegistered(ws *workspace, nd *ops.Node, t layerTraining, ins []*ops.Tensor, out *ops.Tensor, mode ops.Mode) error {
	if t.forward == nil {
		return nd.Layer.Forward(out, ins, mode)
	}
	return t.forward(&forwardCtx{nd: nd, in: ins, out: out, mode: mode, state: p.stateFor(ws, nd, t)})
}

// backwardRegistered runs a registered layer's backward pass.
func (p *plan) backwardRegistered(ws *workspace, nd *ops.Node, t layerTraining, dy []float32) {
	c := &backwardCtx{nd: nd, out: ws.out[nd.ID], dy: dy, accum: p.accum[nd.ID], tmp: ws.tmp,
		state: p.stateFor(ws, nd, t), grad: func(w *ops.Param) []float32 { return p.gradOf[w] }}
	c.in = make([]*ops.Tensor, len(nd.Inputs))
	c.dx = make([][]float32, len(nd.Inputs))
	for j, in := range nd.Inputs {
		c.in[j] = ws.out[in.ID]
		c.dx[j] = p.inputGrad(ws, nd, j)
	}
	t.backward(c)
}

// store writes v into dst, or adds it when accum is set.
func store(dst []float32, i int, v float32, accum bool) {
	if accum {
		dst[i] += v
	} else {
		dst[i] = v
	}
}
