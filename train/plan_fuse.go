package train

import "github.com/simdnet/simdnet/ops"

// fuseReLUs lets a BatchNormalization or an Add whose output only feeds a
// ReLU compute the ReLU itself, saving a pass over the tensor, and lets such
// an Add normalise the BatchNormalizations that only feed it (a residual
// block's last BN and its shortcut's), saving their output tensors.
func (p *plan) fuseReLUs() {
	for _, nd := range p.nodes {
		switch nd.Layer.(type) {
		case *ops.BatchNormalization:
		case *ops.Add:
			if ops.Broadcasts(nd) {
				continue // the fused loop sums tensors of one shape
			}
		default:
			continue
		}
		if e, ok := p.soleConsumer(nd); ok && nd != p.output && isReLU(e.Consumer) && e.Consumer != p.output {
			p.reluOf[nd.ID] = e.Consumer.ID
			p.fusedBy[e.Consumer.ID] = nd.ID
		}
	}
	for _, nd := range p.nodes {
		if _, ok := nd.Layer.(*ops.BatchNormalization); !ok || p.reluOf[nd.ID] != noNode {
			continue
		}
		if e, ok := p.soleConsumer(nd); ok {
			_, isAdd := e.Consumer.Layer.(*ops.Add)
			p.normInAdd[nd.ID] = isAdd && p.reluOf[e.Consumer.ID] != noNode
		}
	}
}
