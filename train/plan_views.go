package train

import "github.com/simdnet/simdnet/ops"

// readsMasked reports whether nd's backward can read a masked gradient
// view: BatchNormalization applies the mask as it reads, and pass-through
// layers hand the view on.
func (p *plan) readsMasked(nd *ops.Node) bool {
	if _, ok := nd.Layer.(*ops.BatchNormalization); ok {
		return true
	}
	_, isAdd := nd.Layer.(*ops.Add)
	return isAdd && nd != p.output && !ops.Broadcasts(nd)
}

// assignViews decides, consumers before producers, where each node's
// gradient lives. A node shares its sole consumer's buffer when that
// consumer passes gradients through, or when the consumer is a ReLU and the
// node applies the ReLU's mask itself; everything else owns a buffer.
func (p *plan) assignViews() {
	for i := len(p.nodes) - 1; i >= 0; i-- {
		nd := p.nodes[i]
		v := gradView{owner: nd.ID, mask: noNode}
		if e, ok := p.soleConsumer(nd); ok && p.needGrad[nd.ID] {
			c := e.Consumer
			cv := p.view[c.ID]
			switch {
			case p.passThrough(c) && (cv.mask == noNode || p.readsMasked(nd)) && !p.cappedFused(nd):
				v = cv // (a capped ReLU zeroes its own buffer, so it keeps one)
			case (isReLU(c) || p.fusedBy[c.ID] == nd.ID) && c != p.output && cv.mask == noNode && p.readsMasked(nd):
				v = gradView{owner: cv.owner, mask: c.ID}
			}
		}
		p.view[nd.ID] = v
	}
	// The first consumer to be processed (the latest in topological order)
	// overwrites an owned buffer; the others add to it.
	written := make([]bool, len(p.view))
	for i := len(p.nodes) - 1; i >= 0; i-- {
		nd := p.nodes[i]
		for j, in := range nd.Inputs {
			if !p.needGrad[in.ID] || !p.owns(in) {
				continue
			}
			p.accum[nd.ID][j] = written[in.ID]
			written[in.ID] = true
		}
	}
}

// owns reports whether nd's gradient is in a buffer of its own, so that its
// consumers write into it.
func (p *plan) owns(nd *ops.Node) bool { return p.view[nd.ID].owner == nd.ID }
