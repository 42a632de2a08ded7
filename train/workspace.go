package train

import (
	"github.com/simdnet/simdnet/internal/parallel"

	"github.com/simdnet/simdnet/ops"
)

// workspace holds every buffer one batch size needs, so that steps after
// the first allocate nothing of their own.
type workspace struct {
	batch  int
	out    []*ops.Tensor   // by node ID; nil for nodes fused into their consumer
	ins    [][]*ops.Tensor // by node ID: the argument slice of its Forward
	slots  [][]float32     // gradient buffers, see plan.slot; nil until a backward pass
	maxCol int             // length dcol needs
	argmax [][]int32       // by node ID, for MaxPooling2D: where each output came from
	probs  []float32       // softmax of the logits
	tmp    []float32       // one node output's worth of scratch
	dcol   []float32       // convolution input-gradient patches, one chunk of images
	red    []float32       // per-chunk partial sums of the reductions
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
	maxOut, maxCol, maxRed := 0, 0, 0
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
			geo, _ := l.Geometry(batch, nd.Inputs[0].Shape)
			if p.needGrad[nd.Inputs[0].ID] && inputGradPath(geo, l.Filters) == col2imGrad {
				rows, _ := convChunk(batch, nd.Shape)
				maxCol = max(maxCol, rows*geo.Cols())
			}
		case *ops.BatchNormalization:
			c := l.Channels()
			pixels := size / c
			maxRed = max(maxRed, 2*c*parallel.NumChunks(pixels, bnChunk(c)))
		}
	}
	ws.probs = make([]float32, batch*p.output.Shape.Len())
	ws.tmp = make([]float32, maxOut)
	ws.maxCol = maxCol
	ws.red = make([]float32, maxRed)
	return ws
}

// allocGrads allocates the gradient buffers on the first backward pass, so
// that a batch size used only for evaluation never holds them.
func (ws *workspace) allocGrads(p *plan) {
	if ws.slots != nil {
		return
	}
	ws.slots = make([][]float32, len(p.slotSize))
	for i, s := range p.slotSize {
		ws.slots[i] = make([]float32, ws.batch*s)
	}
	ws.dcol = make([]float32, ws.maxCol)
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

// workspaces keeps the workspaces of the last few batch sizes: a fit loop
// alternates the full batch with the shorter last one, and evaluation may
// use a third size.
type workspaces struct {
	list []*workspace // most recently used first
}

const keptWorkspaces = 3

func (w *workspaces) get(p *plan, batch int) *workspace {
	for i, ws := range w.list {
		if ws.batch == batch {
			copy(w.list[1:i+1], w.list[:i])
			w.list[0] = ws
			return ws
		}
	}
	ws := newWorkspace(p, batch)
	if len(w.list) == keptWorkspaces {
		w.list = w.list[:keptWorkspaces-1]
	}
	w.list = append([]*workspace{ws}, w.list...)
	return ws
}
