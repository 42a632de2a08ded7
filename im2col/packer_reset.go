package im2col

import "fmt"

// Reset points the packer at a new input and geometry, so that a caller who
// keeps Packer values (an inference plan, one per convolution) packs a new
// batch without allocating a new Packer. It panics like NewPacker.
func (pk *Packer) Reset(src []float32, g Geometry) {
	if err := g.Validate(); err != nil {
		panic(fmt.Sprintf("im2col: Packer.Reset: %v", err))
	}
	if len(src) < g.InputLen() {
		panic(fmt.Sprintf("im2col: Packer.Reset: input has %d values, want %d", len(src), g.InputLen()))
	}
	*pk = Packer{src: src, g: g, oh: g.OutH(), ow: g.OutW(), pointwise: g.Pointwise()}
}
