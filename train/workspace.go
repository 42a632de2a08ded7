package train

import (
	"github.com/simdnet/simdnet/internal/parallel"

	"github.com/simdnet/simdnet/ops"
)

// workspace holds every buffer one batch size needs, so that steps after
// the first allocate nothing of their own. A workspace for a batch smaller
// than the largest one in use is a view of that one's (base): its tensors
// and buffers are the leading parts of the base's, so the short last batch
// of an epoch, or an evaluation batch, costs no second set of buffers.
type workspace struct {
	batch   int
	base    *workspace      // the workspace whose buffers this one reslices; nil if its own
	out     []*ops.Tensor   // by node ID; nil for nodes fused into their consumer
	ins     [][]*ops.Tensor // by node ID: the argument slice of its Forward
	slots   [][]float32     // gradient buffers, see plan.slot; nil until a backward pass
	maxCol  int             // length dcol needs
	argmax  [][]int32       // by node ID, for MaxPooling2D: where each output came from
	probs   []float32       // softmax of the logits
	tmp     []float32       // one node output's worth of scratch
	dcol    []float32       // convolution input-gradient patches, one chunk of images
	maxColT int             // length dcolT needs
	dcolT   []float32       // their transpose, where patchGrads computes it so
	red     []float32       // per-chunk partial sums of the reductions
	// regState is, by node ID, a registered layer's state (see
	// plan.stateFor).
	regState []any
}

// newWorkspace allocates the buffers of p for batches of the given size.
func newWorkspace(p *plan, batch int) *workspace {
	n := len(p.view)
	ws := &workspace{
		batch:    batch,
		out:      make([]*ops.Tensor, n),
		ins:      make([][]*ops.Tensor, n),
		argmax:   make([][]int32, n),
		regState: make([]any, n),
	}
	maxOut, maxRed := 0, 0
	for _, nd := range p.nodes {
		ws.ins[nd.ID] = make([]*ops.Tensor, len(nd.Inputs))
		size := batch * nd.Shape.Len()
		maxOut = max(maxOut, size)
		if nd != p.input && p.reluOf[nd.ID] == noNode && !p.normInAdd[nd.ID] {
			ws.out[nd.ID] = ops.NewTensor(append([]int{batch}, nd.Shape...)...)
		}
		switch l := nd.Layer.(type) {
		case *ops.MaxPooling2D:
			ws.argmax[nd.ID] = make([]int32, size)
		case *ops.Conv2D:
			if isGeneralConv(l) {
				break
			}
		case *ops.BatchNormalization:
			c := l.Channels()
			pixels := size / c
			maxRed = max(maxRed, 2*c*parallel.NumChunks(pixels, bnChunk(c)))
		}
	}
	ws.probs = make([]float32, batch*p.output.Shape.Len())
	ws.tmp = make([]float32, maxOut)
	ws.maxCol, ws.maxColT = maxColLen(p, batch)
	ws.red = make([]float32, maxRed)
	return ws
}

// maxColLen is the length of the convolutions' input-gradient chunks of
// patch gradients (workspace.dcol) at this batch size, and of their
// transposes where patchGrads computes those (workspace.dcolT).
func maxColLen(p *plan, batch int) (col, colT int) {
	for _, nd := range p.nodes {
		l, ok := nd.Layer.(*ops.Conv2D)
		if !ok || isGeneralConv(l) || !p.needGrad[nd.Inputs[0].ID] {
			continue
		}
		geo, _ := l.Geometry(batch, nd.Inputs[0].Shape)
		rows, k := 0, geo.Cols()
		switch inputGradPath(geo, l.Filters) {
		case col2imGrad:
			rows, _ = convChunk(batch, nd.Shape)
			col = max(col, rows*k)
		case denseGrad:
			rows = geo.Rows()
		}
		if rows > 0 && swapPatchGrads(rows, k, l.Filters) {
			colT = max(colT, rows*k)
		}
	}
	return col, colT
}

// allocGrads allocates the gradient buffers on the first backward pass, so
// that a batch size used only for evaluation never holds them.
func (ws *workspace) allocGrads(p *plan) {
	if ws.slots != nil {
		return
	}
	ws.slots = make([][]float32, len(p.slotSize))
	if b := ws.base; b != nil {
		b.allocGrads(p)
		for i, s := range p.slotSize {
			ws.slots[i] = b.slots[i][:ws.batch*s]
		}
		// A smaller batch can need more: a layer whose input gradient
		// is a transposed convolution at the base's batch (rows ≥ 2F)
		// may go through col2im at this one.
		if len(b.dcol) < ws.maxCol {
			b.maxCol = ws.maxCol
			b.dcol = make([]float32, b.maxCol)
		}
		if len(b.dcolT) < ws.maxColT {
			b.maxColT = ws.maxColT
			b.dcolT = make([]float32, b.maxColT)
		}
		ws.dcol, ws.dcolT = b.dcol[:ws.maxCol], b.dcolT[:ws.maxColT]
		return
	}
	for i, s := range p.slotSize {
		ws.slots[i] = make([]float32, ws.batch*s)
	}
	ws.dcol = make([]float32, ws.maxCol)
	ws.dcolT = make([]float32, ws.maxColT)
}

// view returns a workspace for a batch of at most base.batch images whose
// buffers are the leading parts of base's. Only the registered layers'
// state, made on first use, is its own.
func (base *workspace) view(p *plan, batch int) *workspace {
	n := len(p.view)
	ws := &workspace{
		batch:    batch,
		base:     base,
		out:      make([]*ops.Tensor, n),
		ins:      make([][]*ops.Tensor, n),
		argmax:   make([][]int32, n),
		regState: make([]any, n),
		probs:    base.probs[:batch*p.output.Shape.Len()],
		tmp:      base.tmp,
		red:      base.red,
	}
	for _, nd := range p.nodes {
		ws.ins[nd.ID] = make([]*ops.Tensor, len(nd.Inputs))
		size := batch * nd.Shape.Len()
		if t := base.out[nd.ID]; t != nil && nd != p.input {
			ws.out[nd.ID] = &ops.Tensor{Shape: append(ops.Shape{batch}, nd.Shape...), Data: t.Data[:size]}
		}
		if a := base.argmax[nd.ID]; a != nil {
			ws.argmax[nd.ID] = a[:size]
		}
	}
	ws.maxCol, ws.maxColT = maxColLen(p, batch)
	return ws
}

// grad returns the buffer holding nd's output gradient and the output that
// masks it (nil when unmasked).
func (ws *workspace) grad(p *plan, nd *ops.Node) (g, mask []float32) {
	v := p.view[nd.ID]
	g = ws.slots[p.slot[v.owner]]
	if v.mask != noNode {
		mask = ws.out[v.mask].Data
	}
	return g, mask
}

// ownGrad returns the buffer nd's consumers write its gradient into.
func (ws *workspace) ownGrad(p *plan, nd *ops.Node) []float32 {
	return ws.slots[p.slot[nd.ID]]
}

// workspaces keeps one set of buffers, at the largest batch size seen, and
// the workspaces of the last few batch sizes as views of it: a fit loop
// alternates the full batch with the shorter last one, and evaluation may
// use a third size. A batch larger than any before replaces the buffers.
type workspaces struct {
	base *workspace   // owns the buffers
	list []*workspace // base and views of it, most recently used first
}

const keptWorkspaces = 3

func (w *workspaces) get(p *plan, batch int) *workspace {
	if w.base == nil || batch > w.base.batch {
		w.base = newWorkspace(p, batch)
		w.list = []*workspace{w.base}
		return w.base
	}
	for i, ws := range w.list {
		if ws.batch == batch {
			copy(w.list[1:i+1], w.list[:i])
			w.list[0] = ws
			return ws
		}
	}
	ws := w.base.view(p, batch)
	if len(w.list) == keptWorkspaces {
		// Drop the least recently used view, never the base.
		last := len(w.list) - 1
		if w.list[last] == w.base {
			last--
		}
		w.list = append(w.list[:last], w.list[last+1:]...)
	}
	w.list = append([]*workspace{ws}, w.list...)
	return ws
}
