package plan

import (
	"fmt"
	"io"
	"math"
	"unsafe"

	"github.com/simdnet/simdnet/gemm"
	"github.com/simdnet/simdnet/im2col"
	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/quant"
)

// The int8 plan's steps. A u8 value lives in the arena like a float one,
// its L bytes per image packed into ⌈L/4⌉ floats, the images' bytes
// contiguous (qbytes), so that chunking, liveness and scheduling treat it
// as any value.
const (
	stepQuantize   stepKind = 100 + iota // float32 → u8 with the value's parameters
	stepDequantize                       // u8 → float32
	stepQIm2col                          // u8 patches, padding = the input's zero point
	stepQProduct                         // u8 × s8 on gemm.RunQ, requantized (or float) output
	stepQGlobalAvg                       // global average pool of a u8 input into float32
	stepQMaxPool                         // max pool of u8 codes
)

// qstep is what an int8 plan keeps of a step: during lowering, a float
// product's folded weights (w, k×filters) and a kernel layer's class and
// input shape; after it, the operands of the int8 steps.
type qstep struct {
	w       []float32
	k       int
	class   string
	inShape ops.Shape

	in, out    quant.Params // stepQuantize's out, stepDequantize's in, a product's input and u8 output
	inBytes    int          // bytes (u8 values) per image read
	outBytes   int          // bytes per image written (u8 outputs)
	geom       im2col.Geometry
	b          *gemm.PackedS8
	bias       []int32
	scale      []float32
	res        quant.Params
	resBytes   int
	floatOut   bool // the product writes float32 (then act)
	lo, hi     uint8
	act        ops.ActFunc
	rows       int // a product's output pixels per image
	patch      bool
	pixels, ch int   // stepQGlobalAvg
	pool       qpool // stepQMaxPool
}

// qbytes returns value v's u8 bytes for the images the step computes.
func (p *Plan) qbytes(ar *arena, v, per int) []uint8 {
	val := &p.values[v]
	var region []float32
	lo := 0
	if val.inChunk {
		base := p.arena*ar.whole + val.offset*ar.batch
		region = ar.buf[base : base+val.size*ar.batch]
	} else {
		base := val.offset * ar.whole
		region = ar.buf[base : base+val.size*ar.whole]
		lo = ar.start * per
	}
	b := unsafe.Slice((*uint8)(unsafe.Pointer(unsafe.SliceData(region))), 4*len(region))
	return b[lo : lo+ar.batch*per]
}

func (s *step) runQ(p *Plan, ar *arena) {
	q := s.q
	switch s.kind {
	case stepQuantize:
		src, dst := p.slice(ar, s.reads[0]), p.qbytes(ar, s.out, q.outBytes)
		quantizeU8(dst, src, q.out)
	case stepDequantize:
		src, dst := p.qbytes(ar, s.reads[0], q.inBytes), p.slice(ar, s.out)
		inv := q.in.Scale
		for i, c := range src {
			dst[i] = float32(int32(c)-q.in.Zero) * inv
		}
	case stepQIm2col:
		src, dst := p.qbytes(ar, s.reads[0], q.inBytes), p.qbytes(ar, s.out, q.outBytes)
		im2colU8(dst, src, ar.batch, q.geom, uint8(q.in.Zero))
	case stepQProduct:
		s.runQProduct(p, ar)
	case stepQMaxPool:
		maxPoolU8(p.qbytes(ar, s.out, q.outBytes), p.qbytes(ar, s.reads[0], q.inBytes), ar.batch, q.pool)
	case stepQGlobalAvg:
		src, dst := p.qbytes(ar, s.reads[0], q.inBytes), p.slice(ar, s.out)
		for n := 0; n < ar.batch; n++ {
			img, out := src[n*q.pixels*q.ch:(n+1)*q.pixels*q.ch], dst[n*q.ch:(n+1)*q.ch]
			for c := range out {
				sum := int32(0)
				for px := c; px < len(img); px += q.ch {
					sum += int32(img[px])
				}
				mean := float32(sum-q.in.Zero*int32(q.pixels)) / float32(q.pixels)
				out[c] = mean * q.in.Scale
			}
		}
	default:
		panic(fmt.Sprintf("plan: step kind %d", s.kind))
	}
}

func (s *step) runQProduct(p *Plan, ar *arena) {
	q := s.q
	k, f := q.b.K(), q.b.N()
	m := ar.batch * q.rows
	prm := gemm.QParams{M: m, N: f, K: k, AZero: q.in.Zero, B: q.b, Bias: q.bias, Scale: q.scale, LDC: f, Threads: p.opts.Threads}
	if q.patch {
		prm.A, prm.LDA = p.qbytes(ar, s.reads[0], q.inBytes), k
	} else {
		prm.A, prm.LDA = p.qbytes(ar, s.reads[0], q.inBytes), q.geom.C
	}
	if s.in2 >= 0 {
		prm.Residual, prm.LDR, prm.RZero = p.qbytes(ar, s.in2, q.resBytes), f, q.res.Zero
		prm.RScale = q.res.Scale
		if !q.floatOut {
			prm.RScale = q.res.Scale / q.out.Scale
		}
	}
	if q.floatOut {
		prm.CF = p.slice(ar, s.out)
		gemm.RunQ(&prm)
		if q.act != ops.Linear {
			ops.ApplyActivation(q.act, prm.CF, prm.CF, f)
		}
		return
	}
	prm.C, prm.OutZero, prm.Lo, prm.Hi = p.qbytes(ar, s.out, q.outBytes), q.out.Zero, q.lo, q.hi
	gemm.RunQ(&prm)
}

// quantizeU8 writes round(x/scale) + zero, clamped to 0..255.
func quantizeU8(dst []uint8, src []float32, prm quant.Params) {
	inv := 1 / prm.Scale
	z := float32(prm.Zero)
	dst = dst[:len(src)]
	for i, x := range src {
		v := float32(math.RoundToEven(float64(x*inv))) + z
		dst[i] = uint8(min(max(v, 0), 255))
	}
}

// im2colU8 writes the patches of batch u8 images (g: one image's geometry)
// in im2col's order (kernel row, kernel column, channel), the padding cells
// set to zero, the input's zero point.
func im2colU8(dst, src []uint8, batch int, g im2col.Geometry, zero uint8) {
	oh, ow, cols := g.OutH(), g.OutW(), g.Cols()
	img := g.H * g.W * g.C
	r := 0
	for n := 0; n < batch; n++ {
		in := src[n*img : (n+1)*img]
		for y := 0; y < oh; y++ {
			for x := 0; x < ow; x++ {
				patch := dst[r*cols : (r+1)*cols]
				r++
				o := 0
				ix0 := x*g.SW - g.PadLeft
				for ky := 0; ky < g.KH; ky++ {
					iy := y*g.SH - g.PadTop + ky
					if iy >= 0 && iy < g.H && ix0 >= 0 && ix0+g.KW <= g.W {
						// The window's row lies inside the image: one run.
						o += copy(patch[o:o+g.KW*g.C], in[(iy*g.W+ix0)*g.C:])
						continue
					}
					for kx := 0; kx < g.KW; kx++ {
						ix := ix0 + kx
						cell := patch[o : o+g.C]
						o += g.C
						if iy < 0 || iy >= g.H || ix < 0 || ix >= g.W {
							for i := range cell {
								cell[i] = zero
							}
							continue
						}
						copy(cell, in[(iy*g.W+ix)*g.C:])
					}
				}
			}
		}
	}
}

// describeQuant writes an int8 plan's notes: the layers kept in float32.
func (p *Plan) describeQuant(w io.Writer) {
	for _, n := range p.qnotes {
		fmt.Fprintf(w, "int8: %s\n", n)
	}
}

// QuantNotes lists an int8 plan's layers that run in float32, and why
// (nil for a float plan).
func (p *Plan) QuantNotes() []string { return append([]string(nil), p.qnotes...) }

// Quantized reports whether the plan runs products in int8.
func (p *Plan) Quantized() bool { return p.opts.Quant != nil }

// maxPoolU8 pools batch u8 images; cells outside the image never win.
func maxPoolU8(dst, src []uint8, batch int, g qpool) {
	img, oimg := g.h*g.w*g.c, g.oh*g.ow*g.c
	for n := 0; n < batch; n++ {
		in, out := src[n*img:(n+1)*img], dst[n*oimg:(n+1)*oimg]
		for y := 0; y < g.oh; y++ {
			y0, x0 := y*g.sh-g.top, 0
			y1 := min(y0+g.kh, g.h)
			y0 = max(y0, 0)
			for x := 0; x < g.ow; x++ {
				x0 = x*g.sw - g.left
				x1 := min(x0+g.kw, g.w)
				x0 = max(x0, 0)
				cell := out[(y*g.ow+x)*g.c : (y*g.ow+x+1)*g.c]
				clear(cell)
				for iy := y0; iy < y1; iy++ {
					for ix := x0; ix < x1; ix++ {
						px := in[(iy*g.w+ix)*g.c : (iy*g.w+ix+1)*g.c]
						for i, v := range px {
							cell[i] = max(cell[i], v)
						}
					}
				}
			}
		}
	}
}
