package plan

import (
	"fmt"
	"math"
	"strings"

	"github.com/simdnet/simdnet/gemm"
	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/quant"
)

// quantize rewrites a scheduled plan's steps for int8 (Options.Quant; a
// float plan or Calibrate's passes through): each eligible product becomes
// u8 im2col (or its input itself) and gemm.RunQ, every other step keeps its
// float32 form, and a quantize or dequantize step is put before the first
// step that needs a value in the other form. The steps stay in an order
// that runs: conversions go just before their first reader.
func (c *compiler) quantize(p *Plan) error {
	qo := c.opts.Quant
	if qo == nil || qo.calibrate {
		return nil
	}
	keys := p.valueKeys()
	elems := make([]int, len(p.values)) // values per image
	for v := range p.values {
		elems[v] = p.values[v].size
	}
	isU8 := map[int]quant.Params{}
	u8of, f32of := map[int]int{}, map[int]int{}
	params := func(v int) (quant.Params, error) {
		prm, ok := qo.Params[keys[v]]
		if !ok {
			return quant.Params{}, fmt.Errorf("plan %s: int8: no calibrated parameters for tensor %q (a quantization table made for another graph?)", p.name, keys[v])
		}
		if err := prm.Validate(); err != nil {
			return quant.Params{}, fmt.Errorf("plan %s: int8: tensor %q: %w", p.name, keys[v], err)
		}
		return prm, nil
	}
	var out []step
	newValue := func(name string, bytes int) int {
		p.values = append(p.values, value{name: name, size: (bytes + 3) / 4})
		elems = append(elems, bytes)
		return len(p.values) - 1
	}
	makeU8 := func(v int, prm quant.Params) {
		isU8[v] = prm
		p.values[v].size = (elems[v] + 3) / 4
	}
	toU8 := func(v int) (int, error) {
		if _, ok := isU8[v]; ok {
			return v, nil
		}
		if u, ok := u8of[v]; ok {
			return u, nil
		}
		prm, err := params(v)
		if err != nil {
			return 0, err
		}
		u := newValue(p.values[v].name+"/u8", elems[v])
		isU8[u] = prm
		u8of[v] = u
		out = append(out, step{kind: stepQuantize, what: fmt.Sprintf("quantize %s to u8 (scale %.3g, zero %d)", p.values[v].name, prm.Scale, prm.Zero),
			reads: []int{v}, in2: -1, out: u, q: &qstep{out: prm, outBytes: elems[v]}})
		return u, nil
	}
	toF32 := func(v int) int {
		if f, ok := f32of[v]; ok {
			return f
		}
		prm := isU8[v]
		f := newValue(p.values[v].name+"/f32", 4*elems[v])
		elems[f] = elems[v]
		f32of[v] = f
		out = append(out, step{kind: stepDequantize, what: "dequantize " + p.values[v].name + " to float32",
			reads: []int{v}, in2: -1, out: f, q: &qstep{in: prm, inBytes: elems[v]}})
		return f
	}
	first, last := -1, -1
	for i := range p.steps {
		if p.steps[i].kind == stepProduct {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	var notes []string
	keep := func(s *step, why string) {
		notes = append(notes, fmt.Sprintf("%s stays float32: %s", strings.Join(s.layers, " "), why))
	}
	products := 0
	for i := range p.steps {
		s := p.steps[i]
		if s.kind == stepProduct {
			why := ""
			switch {
			case s.q == nil:
				why = "no folded weights"
			case len(s.w) != 1:
				why = "grouped"
			case s.patches != nil:
				why = "dilated"
			case s.pixels > 0:
				why = "its input is channel-scaled"
			case i == first && qo.KeepFirst:
				why = "the first product (KeepFirst)"
			case i == last && qo.KeepLast:
				why = "the last product (KeepLast)"
			}
			if why == "" {
				if err := c.lowerQProduct(p, &s, &out, toU8, params, makeU8, newValue, &elems, isU8); err != nil {
					return err
				}
				products++
				continue
			}
			keep(&s, why)
		}
		if s.kind == stepKernel && s.q != nil && s.q.class == "MaxPooling2D" && len(s.q.inShape) == 3 {
			if prm, ok := isU8[s.reads[0]]; ok {
				if pg, ok := c.maxPoolGeom(s.layers[0], s.q.inShape, elems[s.out]); ok {
					// The maximum commutes with the monotone dequantization:
					// pool the codes, keep the input's parameters.
					in := s.reads[0]
					s.q = &qstep{in: prm, inBytes: elems[in], outBytes: elems[s.out], pool: pg}
					s.kind = stepQMaxPool
					s.what += " (of u8)"
					makeU8(s.out, prm)
					out = append(out, s)
					continue
				}
			}
		}
		if s.kind == stepKernel && s.q != nil && s.q.class == "GlobalAveragePooling2D" && len(s.q.inShape) == 3 {
			if prm, ok := isU8[s.reads[0]]; ok {
				sh := s.q.inShape
				s.q = &qstep{in: prm, inBytes: elems[s.reads[0]], pixels: sh[0] * sh[1], ch: sh[2]}
				s.kind = stepQGlobalAvg
				s.what += " (of u8)"
				out = append(out, s)
				continue
			}
		}
		for j, r := range s.reads {
			if _, ok := isU8[r]; ok {
				f := toF32(r)
				if s.in2 == r {
					s.in2 = f
				}
				s.reads[j] = f
			}
		}
		if s.kind != stepProduct && s.kind != stepActivation {
			// Sums, affine maps, paddings, pools, depthwise convolutions
			// and concatenations that no product absorbed.
			keep(&s, s.what+" has no int8 form")
		}
		s.q = nil
		out = append(out, s)
	}
	if products == 0 {
		return fmt.Errorf("plan %s: int8: no product can run in int8 (%d kept in float32)", p.name, len(notes))
	}
	p.steps = out
	p.qnotes = notes
	return nil
}

// lowerQProduct appends the int8 steps of the float product s: the u8
// patches (unless it reads its input as it is) and the product.
func (c *compiler) lowerQProduct(p *Plan, s *step, out *[]step, toU8 func(int) (int, error), params func(int) (quant.Params, error),
	makeU8 func(int, quant.Params), newValue func(string, int) int, elemsp *[]int, isU8 map[int]quant.Params) error {
	q := s.q
	f := s.filters
	k := q.k
	elems := func(v int) int { return (*elemsp)[v] }
	wq, ws, err := quant.Weights(q.w, k, f)
	if err != nil {
		return fmt.Errorf("plan %s: int8: layer %s: %w", p.name, s.layers[0], err)
	}
	a, err := toU8(s.reads[0])
	if err != nil {
		return err
	}
	in := isU8[a]
	ns := *s
	nq := &qstep{in: in, inBytes: elems(a), geom: s.geom, act: s.act}
	g := s.geom
	nq.rows = g.OutH() * g.OutW()
	if !s.direct {
		pv := newValue(p.values[s.out].name+"/patches", nq.rows*k)
		*out = append(*out, step{kind: stepQIm2col, what: fmt.Sprintf("u8 im2col %dx%d/%d %d channels (pad %d)", g.KH, g.KW, g.SH, g.C, in.Zero),
			layers: s.layers[:1], reads: []int{a}, in2: -1, out: pv, q: &qstep{in: in, inBytes: elems(a), outBytes: nq.rows * k, geom: g}})
		a = pv
		nq.patch, nq.inBytes = true, nq.rows*k
	}
	ns.reads = []int{a}
	if s.in2 >= 0 {
		r, err := toU8(s.in2)
		if err != nil {
			return err
		}
		ns.in2 = r
		ns.reads = append(ns.reads, r)
		nq.res, nq.resBytes = isU8[r], elems(r)
	}
	nq.floatOut = s.out == p.output || (s.act != ops.Linear && s.act != ops.ReLU && s.act != ops.ReLU6)
	div := float32(1)
	if !nq.floatOut {
		prm, err := params(s.out)
		if err != nil {
			return err
		}
		nq.out, nq.outBytes = prm, elems(s.out)
		makeU8(s.out, prm)
		div = prm.Scale
		nq.lo, nq.hi = 0, 255
		if s.act == ops.ReLU || s.act == ops.ReLU6 {
			nq.lo = uint8(prm.Zero)
		}
		if s.act == ops.ReLU6 {
			nq.hi = uint8(min(float64(prm.Zero)+math.Round(6/float64(prm.Scale)), 255))
		}
	}
	nq.scale = make([]float32, f)
	for j := range nq.scale {
		nq.scale[j] = in.Scale * ws[j] / div
	}
	if s.bias != nil {
		nq.bias = make([]int32, f)
		for j, b := range s.bias {
			v := math.Round(float64(b) / (float64(in.Scale) * float64(ws[j])))
			if math.Abs(v) > 1<<30 {
				return fmt.Errorf("plan %s: int8: layer %s: bias %d (%v) is %g input·weight steps, beyond int32's accumulator", p.name, s.layers[0], j, b, v)
			}
			nq.bias[j] = int32(v)
		}
	}
	nq.b = gemm.PackS8(k, f, wq, f)
	p.weights -= s.w[0].Bytes()
	p.weights += len(wq) + 4*len(nq.bias) + 4*f
	ns.w, ns.bias = nil, nil
	ns.kind, ns.q = stepQProduct, nq
	ns.what = "int8 " + s.what
	if s.act != ops.Linear {
		ns.what += " +" + s.act.String()
	}
	if nq.floatOut {
		ns.what += " → float32"
	}
	*out = append(*out, ns)
	return nil
}

// qpool is a max pool's window geometry over one H×W×C image.
type qpool struct {
	h, w, c, kh, kw, sh, sw, top, left, oh, ow int
}

// maxPoolGeom is the geometry of the graph's MaxPooling2D layer name on
// input shape in, if its output has outLen values (ceil mode and other
// variants stay float32).
func (c *compiler) maxPoolGeom(name string, in ops.Shape, outLen int) (qpool, bool) {
	for _, gn := range c.g.Nodes() {
		l, ok := gn.Layer.(*ops.MaxPooling2D)
		if !ok || gn.Name() != name {
			continue
		}
		cfg := l.Pool2DConfig
		g := qpool{h: in[0], w: in[1], c: in[2], kh: cfg.PoolSize[0], kw: cfg.PoolSize[1], sh: cfg.Strides[0], sw: cfg.Strides[1]}
		if g.sh == 0 {
			g.sh, g.sw = g.kh, g.kw
		}
		if cfg.CeilMode || g.kh < 1 || g.kw < 1 || g.sh < 1 || g.sw < 1 {
			return qpool{}, false
		}
		switch cfg.Padding {
		case ops.Same:
			g.oh, g.ow = (g.h+g.sh-1)/g.sh, (g.w+g.sw-1)/g.sw
			g.top = max((g.oh-1)*g.sh+g.kh-g.h, 0) / 2
			g.left = max((g.ow-1)*g.sw+g.kw-g.w, 0) / 2
		default:
			g.top, g.left = cfg.Pads[0], cfg.Pads[2]
			g.oh = (g.h+cfg.Pads[0]+cfg.Pads[1]-g.kh)/g.sh + 1
			g.ow = (g.w+cfg.Pads[2]+cfg.Pads[3]-g.kw)/g.sw + 1
		}
		return g, g.oh > 0 && g.ow > 0 && g.oh*g.ow*g.c == outLen
	}
	return qpool{}, false
}
