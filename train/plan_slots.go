package train

import "github.com/simdnet/simdnet/ops"

// assignSlots gives each owned gradient a buffer, reusing buffers of the
// same size once their last reader has run: the simulation follows the
// backward pass, from the output to the input.
func (p *plan) assignSlots() {
	lastReader := make([]int, len(p.view)) // smallest node ID reading each owner's buffer
	for i := range lastReader {
		lastReader[i] = -1
	}
	for _, nd := range p.nodes {
		if p.needGrad[nd.ID] {
			o := p.view[nd.ID].owner
			if lastReader[o] < 0 || nd.ID < lastReader[o] {
				lastReader[o] = nd.ID
			}
		}
	}
	free := map[int][]int{} // per-sample size → free slots, used as stacks
	take := func(nd *ops.Node) {
		if p.slot[nd.ID] != noNode {
			return
		}
		size := nd.Shape.Len()
		if s := free[size]; len(s) > 0 {
			p.slot[nd.ID] = s[len(s)-1]
			free[size] = s[:len(s)-1]
			return
		}
		p.slot[nd.ID] = len(p.slotSize)
		p.slotSize = append(p.slotSize, size)
	}
	take(p.output)
	for i := len(p.nodes) - 1; i >= 0; i-- {
		nd := p.nodes[i]
		if !p.needGrad[nd.ID] {
			continue
		}
		for _, in := range nd.Inputs {
			if p.needGrad[in.ID] && p.owns(in) {
				take(in)
			}
		}
		// After nd's backward, buffers whose last reader is nd are free.
		for o, r := range lastReader {
			if r == nd.ID && p.slot[o] != noNode {
				size := p.slotSize[p.slot[o]]
				free[size] = append(free[size], p.slot[o])
			}
		}
	}
}
