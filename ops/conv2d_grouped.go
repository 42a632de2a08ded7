package ops

import (
	"github.com/simdnet/simdnet/gemm"
	"github.com/simdnet/simdnet/internal/parallel"
)

// groupedPatchFloats bounds one block of patches (per goroutine) in
// forwardGrouped: 64 Ki floats, 256 KiB, about an L2.
const groupedPatchFloats = 1 << 16

// forwardGrouped computes a grouped or dilated convolution of the n images
// in x: for each group, the group's patches (its channels under the
// dilated window) times the group's columns of the kernel, on gemm. A
// pointwise stride-1 convolution multiplies the input in place, the group
// selected by the offset and stride of A; otherwise the output rows are cut
// into blocks, each goroutine gathering one block's patches and running
// one product per group on them.
func (l *Conv2D) forwardGrouped(out, x []float32, n int, w [2]convWindow, act ActFunc) {
	groups := max(l.Groups, 1)
	c := l.InChannels()
	cg, fg, f := c/groups, l.Filters/groups, l.Filters
	k := w[0].k * w[1].k * cg
	rows := n * w[0].out * w[1].out
	var bias []float32
	if l.Bias != nil {
		bias = l.Bias.Value
	}
	// product multiplies the m patches in a (lda apart) by group grp's
	// kernel columns into its columns of c.
	kernelAct, rest := act.Kernel()
	product := func(a []float32, lda, m, grp int, c []float32, threads int) {
		p := gemm.Params{M: m, N: fg, K: k, Alpha: 1, A: a, LDA: lda,
			B: l.Kernel.Value[grp*fg:], LDB: f, C: c[grp*fg:], LDC: f, Act: kernelAct, Threads: threads}
		if bias != nil {
			p.Bias = bias[grp*fg : (grp+1)*fg]
		}
		gemm.Run(&p)
	}
	pointwise := k == cg && w[0].stride == 1 && w[1].stride == 1 && w[0].before+w[0].after+w[1].before+w[1].after == 0
	if pointwise {
		for grp := range groups {
			product(x[grp*cg:], c, rows, grp, out, 0)
		}
	} else {
		block := max(1, min(rows, groupedPatchFloats/k))
		blocks := (rows + block - 1) / block
		parallel.For(blocks, parallel.Grain(block*k*fg/8), func(lo, hi int) {
			buf := getScratch(block * k)
			defer putScratch(buf)
			for b := lo; b < hi; b++ {
				r0, r1 := b*block, min((b+1)*block, rows)
				for grp := range groups {
					gatherPatches(*buf, x, w, c, cg, grp, r0, r1)
					product(*buf, k, r1-r0, grp, out[r0*f:], 1)
				}
			}
		})
	}
	if rest != Linear {
		activate(rest, out, out, f)
	}
}

// gatherPatches writes the patches of output rows [r0, r1) for channel
// group grp (cg channels) into dst, one row of kh·kw·cg values each, taps
// in the padding reading zero; w holds the two axes' windows and c is the
// input's channel count.
func gatherPatches(dst, x []float32, w [2]convWindow, c, cg, grp, r0, r1 int) {
	h, wd := w[0].in, w[1].in
	oh, ow := w[0].out, w[1].out
	k := w[0].k * w[1].k * cg
	for r := r0; r < r1; r++ {
		row := dst[(r-r0)*k : (r-r0+1)*k]
		n, rem := r/(oh*ow), r%(oh*ow)
		oy, ox := rem/ow, rem%ow
		i := 0
		for ky := 0; ky < w[0].k; ky++ {
			iy := oy*w[0].stride - w[0].before + ky*w[0].dilation
			for kx := 0; kx < w[1].k; kx++ {
				ix := ox*w[1].stride - w[1].before + kx*w[1].dilation
				tap := row[i : i+cg]
				i += cg
				if iy < 0 || iy >= h || ix < 0 || ix >= wd {
					clear(tap)
					continue
				}
				o := ((n*h+iy)*wd+ix)*c + grp*cg
				copy(tap, x[o:o+cg])
			}
		}
	}
}

// ConvPatches is the patch matrix of a grouped or dilated convolution over
// one input shape, by channel group: row r is output pixel r (image r /
// (OutH·OutW)), its K values the group's channels under each tap of the
// dilated window. Gather builds rows; Scatter is its adjoint, for a
// backward pass.
type ConvPatches struct {
	w            [2]convWindow
	c, cg        int
	Groups       int
	K            int // values per row: kh·kw·channels per group
	RowsPerImage int
}

// Patches returns the patch geometry of the convolution on per-sample
// input shape in.
func (l *Conv2D) Patches(in Shape) (*ConvPatches, error) {
	w, err := l.windows([]Shape{in})
	if err != nil {
		return nil, err
	}
	groups := max(l.Groups, 1)
	c := l.InChannels()
	return &ConvPatches{w: w, c: c, cg: c / groups, Groups: groups, K: w[0].k * w[1].k * c / groups,
		RowsPerImage: w[0].out * w[1].out}, nil
}

// Gather writes rows [r0, r1) of group grp's patches of the batch x into
// dst, taps in the padding reading zero.
func (p *ConvPatches) Gather(dst, x []float32, grp, r0, r1 int) {
	gatherPatches(dst, x, p.w, p.c, p.cg, grp, r0, r1)
}

// Scatter adds rows [r0, r1) of group grp's patch gradients src onto the
// input gradient dx, dropping taps in the padding: the adjoint of Gather.
func (p *ConvPatches) Scatter(dx, src []float32, grp, r0, r1 int) {
	w, cg := p.w, p.cg
	h, wd := w[0].in, w[1].in
	oh, ow := w[0].out, w[1].out
	for r := r0; r < r1; r++ {
		row := src[(r-r0)*p.K : (r-r0+1)*p.K]
		n, rem := r/(oh*ow), r%(oh*ow)
		oy, ox := rem/ow, rem%ow
		i := 0
		for ky := 0; ky < w[0].k; ky++ {
			iy := oy*w[0].stride - w[0].before + ky*w[0].dilation
			for kx := 0; kx < w[1].k; kx++ {
				ix := ox*w[1].stride - w[1].before + kx*w[1].dilation
				tap := row[i : i+cg]
				i += cg
				if iy < 0 || iy >= h || ix < 0 || ix >= wd {
					continue
				}
				d := dx[((n*h+iy)*wd+ix)*p.c+grp*cg:][:cg]
				for j, v := range tap {
					d[j] += v
				}
			}
		}
	}
}
