package train

import "github.com/simdnet/simdnet/ops"

// fuseReLUs lets a BatchNormalization or an Add whose output only feeds a
// ReLU (a BatchNormalization: or a ReLU6) compute it itself, saving a pass over the tensor, and lets such
// an Add normalise the BatchNormalizations that only feed it (a residual
// block's last BN and its shortcut's), saving their output tensors.
func (p *plan) fuseReLUs() {
	for _, nd := range p.nodes {
		e, ok := p.soleConsumer(nd)
		if !ok || nd == p.output || e.Consumer == p.output {
			continue
		}
		relu := e.Consumer
		cap, isRelu := reluCapOf(relu)
		switch nd.Layer.(type) {
		case *ops.BatchNormalization: // a ReLU or a ReLU6 (MobileNet's)
		case *ops.Add:
			// The fused loop sums tensors of one shape, with a plain ReLU.
			isRelu = isRelu && !ops.Broadcasts(nd) && isReLU(relu)
		default:
			continue
		}
		if isRelu {
			p.reluOf[nd.ID] = relu.ID
			p.fusedBy[relu.ID] = nd.ID
			p.reluCap[nd.ID] = cap
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
