package ops

import (
	"fmt"
	"strings"

	"github.com/simdnet/simdnet/gemm"
	"github.com/simdnet/simdnet/im2col"
	"github.com/simdnet/simdnet/internal/vec"
)

type stepKind uint8

const (
	stepConv       stepKind = iota // im2col (or the input itself) × packed weights, fused epilogue
	stepDense                      // input × packed weights + bias, then the activation
	stepPool                       // max or average pooling
	stepGlobalPool                 // global max or average pooling
	stepAffine                     // a BatchNormalization no convolution absorbed
	stepActivation                 // an activation no product absorbed
	stepAdd                        // an Add no convolution absorbed
	stepPad                        // a ZeroPadding2D no convolution absorbed
)

// step is one fused operation of a plan. A concrete struct with a kind, not
// an interface, so that running a step moves nothing to the heap.
type step struct {
	kind   stepKind
	layers []string // the graph layers fused into this step
	in     int      // value read
	in2    int      // second value read: the residual or Add's other term; -1 if none
	out    int      // value written

	// stepConv and stepDense
	geom   im2col.Geometry // per image (N = 1); stepConv only
	direct bool            // A is the input itself (1×1, stride 1, no padding)
	packer int             // index of this step's im2col packer in the arena
	w      *gemm.PackedB
	bias   []float32
	relu   bool
	act    ActFunc // stepDense and stepActivation

	// stepPool and stepGlobalPool
	pool   poolGeom // per image (n = 1)
	poolOp poolOp

	// stepAffine: y = x·scale + shift per channel, then the ReLU if relu
	scale, shift []float32

	// stepPad
	pad      [4]int // top, bottom, left, right
	inHWC    [3]int
	channels int // stepAffine, stepActivation (softmax width), stepGlobalPool
}

func (s *step) run(p *Plan, ar *arena) {
	switch s.kind {
	case stepConv:
		s.runConv(p, ar)
	case stepDense:
		s.runDense(p, ar)
	case stepPool:
		g := s.pool
		g.n = ar.batch
		poolRange(g, s.poolOp, p.slice(ar, s.out), p.slice(ar, s.in), 0, g.n*g.oh)
	case stepGlobalPool:
		globalPoolRange(s.poolOp, p.slice(ar, s.out), p.slice(ar, s.in), s.channels, 0, ar.batch)
	case stepAffine:
		affineReLU(p.slice(ar, s.out), p.slice(ar, s.in), s.scale, s.shift, s.relu)
	case stepActivation:
		src, dst := p.slice(ar, s.in), p.slice(ar, s.out)
		applyActivation(s.act, dst, src, s.channels)
	case stepAdd:
		addReLU(p.slice(ar, s.out), p.slice(ar, s.in), p.slice(ar, s.in2), s.relu)
	case stepPad:
		zeroPad(p.slice(ar, s.out), p.slice(ar, s.in), ar.batch, s.inHWC, s.pad)
	}
}

func (s *step) runConv(p *Plan, ar *arena) {
	g := s.geom
	g.N = ar.batch
	src, dst := p.slice(ar, s.in), p.slice(ar, s.out)
	cout := s.w.N()
	prm := gemm.Params{M: g.Rows(), N: cout, K: g.Cols(), Alpha: 1, BPacked: s.w,
		C: dst, LDC: cout, Bias: s.bias, ReLU: s.relu, Threads: p.opts.Threads}
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
}

// runDense multiplies every row of the input's last axis: Dense applies to
// the last axis of an input of any rank, so a batch of H×W×C samples is
// batch·H·W rows of C features.
func (s *step) runDense(p *Plan, ar *arena) {
	src, dst := p.slice(ar, s.in), p.slice(ar, s.out)
	in, units := s.w.K(), s.w.N()
	rows := len(src) / in
	prm := gemm.Params{M: rows, N: units, K: in, Alpha: 1, A: src, LDA: in, BPacked: s.w,
		C: dst, LDC: units, Bias: s.bias, ReLU: s.act == ReLU, Threads: p.opts.Threads}
	gemm.Run(&prm)
	if s.act != ReLU && s.act != Linear { // gemm's epilogue has only the ReLU
		applyActivation(s.act, dst, dst, units)
	}
}

// describe is the step's line in Plan.Describe.
func (s *step) describe(p *Plan) string {
	var what string
	switch s.kind {
	case stepConv:
		g := s.geom
		what = fmt.Sprintf("conv %dx%d/%d %d->%d (gemm M=%d·N N=%d K=%d)", g.KH, g.KW, g.SH, g.C, s.w.N(), g.OutH()*g.OutW(), s.w.N(), g.Cols())
		if s.direct {
			what += " direct"
		}
		if s.bias != nil {
			what += " +bias"
		}
		if s.in2 >= 0 {
			what += " +residual(" + p.values[s.in2].name + ")"
		}
		if s.relu {
			what += " +relu"
		}
	case stepDense:
		what = fmt.Sprintf("dense %d->%d %s", s.w.K(), s.w.N(), s.act)
	case stepPool:
		what = fmt.Sprintf("pool %dx%d/%d", s.pool.kh, s.pool.kw, s.pool.sh)
	case stepGlobalPool:
		what = "global pool"
	case stepAffine:
		what = "batchnorm affine"
	case stepActivation:
		what = "activation " + s.act.String()
	case stepAdd:
		what = "add"
	case stepPad:
		what = "zero padding"
	}
	return fmt.Sprintf("%-58s [%s]", what, strings.Join(s.layers, " "))
}

// poolRange pools output rows [lo, hi) (row r is image r/oh, output row
// r%oh). A window's cells are whole channel vectors and the cells of a
// window row are contiguous, so each output cell is one call of the
// vectorised window routine. Pooling layers and plans share it.
func poolRange(g poolGeom, op poolOp, dst, src []float32, lo, hi int) {
	ch := g.c
	rowStride := g.w * ch
	for r := lo; r < hi; r++ {
		n, y := r/g.oh, r%g.oh
		img := src[n*g.h*g.w*ch : (n+1)*g.h*g.w*ch]
		for xo := 0; xo < g.ow; xo++ {
			out := dst[(r*g.ow+xo)*ch : (r*g.ow+xo+1)*ch]
			y0, y1, x0, x1 := g.window(y, xo)
			win := img[(y0*g.w+x0)*ch:]
			if op == poolMax {
				vec.WindowMax(out, win, ch, x1-x0, y1-y0, rowStride)
				continue
			}
			vec.WindowSum(out, win, ch, x1-x0, y1-y0, rowStride)
			inv := 1 / float32((y1-y0)*(x1-x0))
			for i := range out {
				out[i] *= inv
			}
		}
	}
}

// globalPoolRange reduces images [lo, hi) of src to one channel vector each.
func globalPoolRange(op poolOp, dst, src []float32, c, lo, hi int) {
	batch := len(dst) / c
	pixels := len(src) / batch / c
	for n := lo; n < hi; n++ {
		img := src[n*pixels*c : (n+1)*pixels*c]
		out := dst[n*c : (n+1)*c]
		if op == poolMax {
			vec.WindowMax(out, img, c, pixels, 1, 0)
			continue
		}
		vec.WindowSum(out, img, c, pixels, 1, 0)
		inv := 1 / float32(pixels)
		for i := range out {
			out[i] *= inv
		}
	}
}

// affineReLU writes x·scale + shift per channel, clamped at zero if relu.
func affineReLU(dst, src, scale, shift []float32, relu bool) {
	c := len(scale)
	for p := 0; p < len(src); p += c {
		in, out := src[p:p+c], dst[p:p+c]
		for i, v := range in {
			y := v*scale[i] + shift[i]
			if relu {
				y = max(y, 0)
			}
			out[i] = y
		}
	}
}

// addReLU writes a + b, clamped at zero if relu.
func addReLU(dst, a, b []float32, relu bool) {
	b = b[:len(a)]
	dst = dst[:len(a)]
	for i, v := range a {
		y := v + b[i]
		if relu {
			y = max(y, 0)
		}
		dst[i] = y
	}
}

// applyActivation is activate without goroutines: a plan's elementwise
// steps are small next to its products.
func applyActivation(f ActFunc, dst, src []float32, width int) {
	if f == Softmax {
		for r := 0; r+width <= len(src); r += width {
			softmaxRow(dst[r:r+width], src[r:r+width])
		}
		return
	}
	applyElementwise(f, dst, src)
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
