package im2col

import "fmt"

// Packer is the patch matrix of an NHWC input as a gemm.APacker: it copies
// patches straight from the input into the micro-kernel's A-panel layout, so
// a convolution never builds its Rows()×Cols() patch matrix. For a 1×1
// window without padding (a strided pointwise convolution) packing is a
// gather of input rows.
//
// A Packer only reads its input, so gemm may call PackA from several
// goroutines at once.
type Packer struct {
	src    []float32
	g      Geometry
	oh, ow int
}

// NewPacker returns the packer for the patches of src under g. It panics on
// an invalid geometry or a short src, like Im2Col.
func NewPacker(src []float32, g Geometry) *Packer {
	if err := g.Validate(); err != nil {
		panic(fmt.Sprintf("im2col: NewPacker: %v", err))
	}
	if len(src) < g.InputLen() {
		panic(fmt.Sprintf("im2col: NewPacker: input has %d values, want %d", len(src), g.InputLen()))
	}
	return &Packer{src: src, g: g, oh: g.OutH(), ow: g.OutW()}
}

// Geometry returns the geometry the packer was made for.
func (pk *Packer) Geometry() Geometry { return pk.g }

// PackA writes rows [i0, i0+mc) and columns [p0, p0+kc) of the patch matrix
// into dst as ceil(mc/mr) strips of kc×mr values,
//
//	dst[s*kc*mr + p*mr + i] = patch(i0+s*mr+i)[p0+p]
//
// with zeros for rows at or past i0+mc, as gemm.APacker requires.
func (pk *Packer) PackA(dst []float32, i0, mc, p0, kc, mr int) {
	for s := 0; s*mr < mc; s++ {
		strip := dst[s*kc*mr : (s+1)*kc*mr]
		rows := min(mr, mc-s*mr)
		for i := 0; i < rows; i++ {
			if pk.g.Pointwise() {
				pk.gatherRow(strip[i:], i0+s*mr+i, p0, kc, mr)
			} else {
				pk.packRow(strip[i:], i0+s*mr+i, p0, kc, mr)
			}
		}
		for i := rows; i < mr; i++ {
			for p := 0; p < kc; p++ {
				strip[p*mr+i] = 0
			}
		}
	}
}

// packRow writes values [p0, p0+kc) of patch r to out[0], out[mr], ... The
// patch is a sequence of kernel taps, each a run of C channels that is
// contiguous in NHWC, so the walk copies whole runs and clears the runs that
// lie in the padding.
func (pk *Packer) packRow(out []float32, r, p0, kc, mr int) {
	g := &pk.g
	base, ih0, iw0 := g.patchOrigin(r, pk.oh, pk.ow)
	tap, c0 := p0/g.C, p0%g.C
	ky, kx := tap/g.KW, tap%g.KW
	for p := 0; p < kc; {
		run := min(g.C-c0, kc-p)
		dst := out[p*mr : (p+run-1)*mr+1]
		ih, iw := ih0+ky, iw0+kx
		if ih >= 0 && ih < g.H && iw >= 0 && iw < g.W {
			off := base + (ih*g.W+iw)*g.C + c0
			for j, v := range pk.src[off : off+run] {
				dst[j*mr] = v
			}
		} else {
			for j := 0; j < run; j++ {
				dst[j*mr] = 0
			}
		}
		p += run
		c0 = 0
		if kx++; kx == g.KW {
			kx = 0
			ky++
		}
	}
}

// gatherRow is packRow for a pointwise window: patch r is the channel vector
// of one input pixel.
func (pk *Packer) gatherRow(out []float32, r, p0, kc, mr int) {
	g := &pk.g
	base, ih, iw := g.patchOrigin(r, pk.oh, pk.ow)
	off := base + (ih*g.W+iw)*g.C + p0
	out = out[:(kc-1)*mr+1]
	for j, v := range pk.src[off : off+kc] {
		out[j*mr] = v
	}
}
