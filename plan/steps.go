package plan

import (
	"fmt"
	"strings"

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

	// stepProduct
	geom   im2col.Geometry // per image (N = 1)
	direct bool            // A is the input itself (1×1, stride 1, no padding)
	packer int             // index of this step's im2col packer in the arena
	w      *gemm.PackedB
	bias   []float32
	act    ops.ActFunc // stepProduct (after bias and residual), stepActivation

	// stepAffine: y = x·scale + shift per channel
	scale, shift []float32

	// stepPad
	pad      [4]int // top, bottom, left, right
	inHWC    [3]int
	channels int // stepActivation: softmax's width

	kernel func(dst []float32, src [][]float32, n int) // stepKernel
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
	case stepKernel:
		src := ar.srcs[:len(s.reads)]
		for i, v := range s.reads {
			src[i] = p.slice(ar, v)
		}
		s.kernel(dst, src, ar.batch)
		clear(src)
	}
}

func (s *step) runProduct(p *Plan, ar *arena, dst []float32) {
	g := s.geom
	g.N = ar.batch
	src := p.slice(ar, s.reads[0])
	cout := s.w.N()
	prm := gemm.Params{M: g.Rows(), N: cout, K: g.Cols(), Alpha: 1, BPacked: s.w,
		C: dst, LDC: cout, Bias: s.bias, ReLU: s.act == ops.ReLU, Threads: p.opts.Threads}
	if s.direct {
		prm.A, prm.LDA = src, g.C
	} else {
		pk := &ar.packers[s.packer]
		pk.Reset(src, g)
		prm.APack = pk
	}
	if s.in2 >= 0 {
		prm.Residual, prm.LDR = p.slice(ar, s.in2), cout
	}
	gemm.Run(&prm)
	if s.act != ops.ReLU && s.act != ops.Linear { // gemm's epilogue has only the ReLU
		ops.ApplyActivation(s.act, dst, dst, cout)
	}
}

// describeProduct is a product step's operation in Describe.
func describeProduct(class string, s *step) string {
	g := s.geom
	window := fmt.Sprintf(" %dx%d/%d", g.KH, g.KW, g.SH)
	if class == "Dense" {
		window = ""
	}
	what := fmt.Sprintf("%s%s %d->%d (gemm M=%d·N N=%d K=%d)", strings.ToLower(class), window, g.C, s.w.N(), g.OutH()*g.OutW(), s.w.N(), g.Cols())
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
