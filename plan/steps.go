package plan

import (
	"fmt"
	"strings"

	"github.com/simdnet/simdnet/dwconv"
	"github.com/simdnet/simdnet/gemm"
	"github.com/simdnet/simdnet/im2col"
	"github.com/simdnet/simdnet/ops"
)

type stepKind uint8

const (
	stepProduct    stepKind = iota // im2col (or the input itself) × packed weights, fused epilogue
	stepAffine                     // an affine map no product absorbed
	stepActivation                 // an activation no product absorbed (or the output's copy)
	stepSum                        // a sum no product absorbed
	stepPad                        // a zero padding no product absorbed
	stepKernel                     // a layer's own kernel (ops.OpKernel)
	stepDepthwise                  // a depthwise convolution on dwconv, bias and clip fused
	stepConcat                     // the inputs of a concatenation not written in place
)

// step is one fused operation of a plan. A concrete struct with a kind, not
// an interface, so that running a step moves nothing to the heap.
type step struct {
	kind   stepKind
	what   string   // the operation, for Describe
	layers []string // the graph layers fused into this step
	reads  []int    // values read, in the layer's input order (the residual last)
	in2    int      // stepProduct: the residual's value; -1 if none
	out    int      // value written
	deps   []int    // the steps (in Compile's first order) that write what it reads
	// outOff and outLD place a product's or depthwise convolution's
	// output in a channel slice of a wider value (a concatenation's):
	// channels [outOff, outOff+filters) of rows outLD values apart.
	// outLD is 0 for a value of the step's own; stepConcat's rows.
	outOff, outLD int
	parts         []concatPart // stepConcat, one per value read

	// stepProduct
	geom    im2col.Geometry // per image (N = 1)
	direct  bool            // A is the input itself (1×1, stride 1, no padding)
	packer  int             // index of this step's im2col packer in the arena
	patches *patchGeom      // grouped or dilated: the patches' window (im2col has neither)
	pixels  int             // a channel-scaled operand: rows per sample (reads[1] holds the factors)
	w       []*gemm.PackedB // one per group
	filters int             // output channels (stepProduct, stepDepthwise)
	bias    []float32
	act     ops.ActFunc     // the layers' activation: stepProduct, stepDepthwise, stepActivation
	epi     gemm.Activation // the part of act the kernels apply to the hot output
	rest    ops.ActFunc     // the part left for a pass after them

	dw *dwconv.Conv // stepDepthwise

	// stepAffine: y = x·scale + shift per channel
	scale, shift []float32

	// stepPad
	pad      [4]int // top, bottom, left, right
	inHWC    [3]int
	channels int // stepActivation: softmax's width

	kernel func(dst []float32, src [][]float32, n int) // stepKernel

	q *qstep // an int8 plan's steps (qsteps.go), and what its lowering keeps
}

func (s *step) run(p *Plan, ar *arena) {
	dst := p.slice(ar, s.out)
	switch s.kind {
	case stepProduct:
		s.runProduct(p, ar, dst)
	case stepAffine:
		affine(dst, p.slice(ar, s.reads[0]), s.scale, s.shift)
	case stepActivation:
		ops.ApplyActivation(s.act, dst, p.slice(ar, s.reads[0]), s.channels)
	case stepSum:
		sum(dst, p.slice(ar, s.reads[0]), p.slice(ar, s.reads[1]))
		for _, v := range s.reads[2:] {
			sum(dst, dst, p.slice(ar, v))
		}
	case stepPad:
		zeroPad(dst, p.slice(ar, s.reads[0]), ar.batch, s.inHWC, s.pad)
	case stepDepthwise:
		s.runDepthwise(p, ar, dst)
	case stepConcat:
		for i, part := range s.parts {
			src := p.slice(ar, s.reads[i])
			ch := part.channels
			for r := 0; r < len(src)/ch; r++ {
				copy(dst[r*s.outLD+part.offset:r*s.outLD+part.offset+ch], src[r*ch:(r+1)*ch])
			}
		}
	case stepKernel:
		src := ar.srcs[:len(s.reads)]
		for i, v := range s.reads {
			src[i] = p.slice(ar, v)
		}
		s.kernel(dst, src, ar.batch)
		clear(src)
	default:
		s.runQ(p, ar)
	}
}

// runProduct multiplies group by group (one group for most layers):
// group g's patches, or its channels of the input itself, times its packed
// weights into its columns of the output, bias, residual and ReLU in the
// epilogue.
func (s *step) runProduct(p *Plan, ar *arena, dst []float32) {
	src := p.slice(ar, s.reads[0])
	var res []float32
	if s.in2 >= 0 {
		res = p.slice(ar, s.in2)
	}
	f, groups := s.filters, len(s.w)
	fg, cg := f/groups, s.geom.C/groups
	ld := s.ld()
	rows := len(dst) / ld
	dst = dst[s.outOff:]
	for gi, w := range s.w {
		prm := gemm.Params{M: rows, N: fg, K: w.K(), Alpha: 1, BPacked: w,
			C: dst[gi*fg:], LDC: ld, Act: s.epi, Threads: p.opts.Threads}
		if s.bias != nil {
			prm.Bias = s.bias[gi*fg : (gi+1)*fg]
		}
		switch {
		case s.pixels > 0:
			pk := &ar.scalers[s.packer]
			*pk = scaledRows{x: src, scale: p.slice(ar, s.reads[1]), c: s.geom.C, pixels: s.pixels}
			prm.APack = pk
		case s.direct:
			prm.A, prm.LDA = src[gi*cg:], s.geom.C
		case s.patches != nil:
			pk := &ar.patchers[s.packer]
			*pk = patchPacker{g: s.patches, src: src, grp: gi}
			prm.APack = pk
		default:
			g := s.geom
			g.N = ar.batch
			pk := &ar.packers[s.packer]
			pk.Reset(src, g)
			prm.APack = pk
		}
		if res != nil {
			prm.Residual, prm.LDR = res[gi*fg:], f
		}
		gemm.Run(&prm)
	}
	s.applyRest(dst, rows)
}

// ld is the distance between the output's rows: the step's own channels,
// or a concatenation's.
func (s *step) ld() int {
	if s.outLD > 0 {
		return s.outLD
	}
	return s.filters
}

// applyRest applies the part of the activation the kernels did not, to
// rows of the output starting at dst.
func (s *step) applyRest(dst []float32, rows int) {
	if s.rest == ops.Linear {
		return
	}
	f, ld := s.filters, s.ld()
	if ld == f {
		ops.ApplyActivation(s.rest, dst[:rows*f], dst[:rows*f], f)
		return
	}
	for r := 0; r < rows; r++ {
		row := dst[r*ld : r*ld+f]
		ops.ApplyActivation(s.rest, row, row, f)
	}
}

// concatPart is an input a concatenation step copies: its channels go to
// [offset, offset+channels) of each output row.
type concatPart struct{ offset, channels int }

// describeProduct is a product step's operation in Describe.
func describeProduct(class string, s *step, groups int, dil [2]int) string {
	g := s.geom
	window := fmt.Sprintf(" %dx%d/%d", g.KH, g.KW, g.SH)
	if class == "Dense" {
		window = ""
	}
	if dil != [2]int{1, 1} {
		window += fmt.Sprintf(" dilation %dx%d", dil[0], dil[1])
	}
	rows := g.OutH() * g.OutW()
	if s.patches != nil {
		rows = s.patches.oh * s.patches.ow
	}
	what := fmt.Sprintf("%s%s %d->%d (gemm M=%d·N N=%d K=%d)", strings.ToLower(class), window, g.C, s.filters, rows, s.filters/groups, s.w[0].K())
	if groups > 1 {
		what += fmt.Sprintf(" ×%d groups", groups)
	}
	if s.direct {
		what += " direct"
	}
	if s.bias != nil {
		what += " +bias"
	}
	return what
}

// describe is the step's line in Plan.Describe.
func (s *step) describe(p *Plan) string {
	what := s.what
	if len(s.reads) > 0 && s.out == s.reads[0] {
		what += " (in place)"
	}
	if s.outLD > 0 && s.kind != stepConcat {
		what += fmt.Sprintf(" into channels %d-%d of %s", s.outOff, s.outOff+s.filters-1, p.values[s.out].name)
	}
	if s.in2 >= 0 {
		what += " +residual(" + p.values[s.in2].name + ")"
	}
	if s.kind == stepProduct && s.act != ops.Linear {
		what += " +" + s.act.String()
	}
	return fmt.Sprintf("%-58s [%s]", what, strings.Join(s.layers, " "))
}

// affine writes x·scale + shift per channel.
func affine(dst, src, scale, shift []float32) {
	c := len(scale)
	for p := 0; p < len(src); p += c {
		in, out := src[p:p+c], dst[p:p+c]
		for i, v := range in {
			out[i] = v*scale[i] + shift[i]
		}
	}
}

// sum writes a + b.
func sum(dst, a, b []float32) {
	b = b[:len(a)]
	dst = dst[:len(a)]
	for i, v := range a {
		dst[i] = v + b[i]
	}
}

// zeroPad copies each H×W×C image into the middle of a zeroed padded one.
func zeroPad(dst, src []float32, batch int, hwc [3]int, pad [4]int) {
	h, w, c := hwc[0], hwc[1], hwc[2]
	ow := w + pad[2] + pad[3]
	oh := h + pad[0] + pad[1]
	clear(dst[:batch*oh*ow*c])
	for n := 0; n < batch; n++ {
		for y := 0; y < h; y++ {
			from := src[((n*h+y)*w)*c : ((n*h+y)*w+w)*c]
			to := dst[((n*oh+y+pad[0])*ow+pad[2])*c:]
			copy(to, from)
		}
	}
}

// weightBytes is the memory of the step's packed weights, which each
// sub-batch chunk reads again.
func (s *step) weightBytes() int {
	n := 0
	for _, w := range s.w {
		n += w.Bytes()
	}
	if s.dw != nil {
		g := s.dw.Geometry()
		n += 4 * g.KH * g.KW * s.filters
	}
	return n
}
