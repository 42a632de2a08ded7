package dwconv

import (
	"fmt"
	"math"

	"github.com/simdnet/simdnet/internal/vec"
)

// maxStackTaps is the largest window whose tap pointers Row keeps on the
// stack (7×7); larger windows allocate them per call.
const maxStackTaps = 49

// Conv is one depthwise convolution ready to run: geometry, packed weights,
// the clip and the kernel. It holds no mutable state, so any number of
// goroutines may run rows of it at once.
type Conv struct {
	geom   Geometry
	w      *Packed
	lo, hi float32
	kern   Kernel
	zero   []float32 // an input row of zeros, for padding
	x0, x1 int       // interior output columns

	// interiorCols are the input offsets (column × channels) of the KW
	// window columns at output column x0; edges lists the other output
	// columns with theirs, -1 where the window hangs off the row.
	interiorCols []int
	edges        []edgeColumn

	// post, unless its kind is vec.ActNone, is an activation the kernels do
	// not fuse, applied to each output row right after it is written.
	post vec.Activation
}

// edgeColumn is an output column whose window leaves the input row.
type edgeColumn struct {
	x    int
	cols []int // per window column: input offset, or -1 for zeros
}

// New plans a convolution of geometry g with packed weights w, every output
// clipped to [lo, hi] (-Inf, +Inf for none; 0, +Inf for ReLU; 0, 6 for
// ReLU6), run by kernel k (Selected() for the fastest).
func New(g Geometry, w *Packed, lo, hi float32, k Kernel) (*Conv, error) {
	if err := g.Validate(); err != nil {
		return nil, err
	}
	if w == nil || w.KH != g.KH || w.KW != g.KW || w.Channels != g.Channels {
		return nil, fmt.Errorf("dwconv: packed weights do not match the %d×%d window over %d channels", g.KH, g.KW, g.Channels)
	}
	if w.Multiplier < 1 || len(w.data) != w.Multiplier*w.setLen() {
		return nil, fmt.Errorf("dwconv: packed weights hold %d values, not %d sets for a %d×%d window over %d channels (make them with Pack)",
			len(w.data), w.Multiplier, g.KH, g.KW, g.Channels)
	}
	own := *w // the kernels read w's layout as checked now, whatever its fields become
	w = &own
	if math.IsNaN(float64(lo)) || math.IsNaN(float64(hi)) || lo > hi {
		return nil, fmt.Errorf("dwconv: clip [%v, %v] is empty or NaN", lo, hi)
	}
	c := &Conv{geom: g, w: w, lo: lo, hi: hi, kern: k, zero: make([]float32, g.InW*g.Channels)}
	c.x0, c.x1 = g.interior()
	cols := func(x int) []int {
		cs := make([]int, g.KW)
		for kx := range cs {
			ix := x*g.StrideW + kx*g.DilationW - g.PadLeft
			cs[kx] = -1
			if ix >= 0 && ix < g.InW {
				cs[kx] = ix * g.Channels
			}
		}
		return cs
	}
	if c.x1 > c.x0 {
		c.interiorCols = cols(c.x0)
	}
	for x := 0; x < g.OutW(); x++ {
		if x < c.x0 || x >= c.x1 || c.x1 == c.x0 {
			c.edges = append(c.edges, edgeColumn{x: x, cols: cols(x)})
		}
	}
	return c, nil
}

// NewActivated is New with any activation of package vec after the bias:
// none, ReLU and clip (ReLU6) run fused in the kernel; the others
// (LeakyReLU, hard_swish, sigmoid, SiLU) are applied to each output row by
// vec.ActivateRows right after the kernel writes it, while the row is
// still in cache.
func NewActivated(g Geometry, w *Packed, act vec.Activation, k Kernel) (*Conv, error) {
	if err := act.Check(); err != nil {
		return nil, fmt.Errorf("dwconv: %w", err)
	}
	inf := float32(math.Inf(1))
	switch act.Kind {
	case vec.ActNone:
		return New(g, w, -inf, inf, k)
	case vec.ActReLU:
		return New(g, w, 0, inf, k)
	case vec.ActClip:
		return New(g, w, act.Lo, act.Hi, k)
	}
	c, err := New(g, w, -inf, inf, k)
	if err != nil {
		return nil, err
	}
	c.post = act
	return c, nil
}

// Geometry returns the convolution's geometry.
func (c *Conv) Geometry() Geometry { return c.geom }

// Kernel returns the kernel that runs the convolution.
func (c *Conv) Kernel() Kernel { return c.kern }

// OutChannels is Channels × Multiplier.
func (c *Conv) OutChannels() int { return c.geom.Channels * c.w.Multiplier }

// ScratchLen is the scratch Row needs: none for a depth multiplier of 1,
// else one output row of one weight set (OutW × Channels).
func (c *Conv) ScratchLen() int {
	if c.w.Multiplier == 1 {
		return 0
	}
	return c.geom.OutW() * c.geom.Channels
}

// FLOPs is the multiply-adds of one image, counted as two operations.
func (c *Conv) FLOPs() int64 {
	g := c.geom
	return 2 * int64(g.OutH()) * int64(g.OutW()) * int64(c.OutChannels()) * int64(g.KH*g.KW)
}

// Row computes output row oy of one image. img is the image, InH×InW×
// Channels NHWC; out receives OutW pixels of OutChannels values, pixel x at
// out[x*outStride:] (outStride ≥ OutChannels, so that a row may be written
// into a channel slice of a wider tensor). scratch, of ScratchLen values,
// is needed only with a depth multiplier above 1. Row panics, as gemm does,
// on buffers too short for the geometry.
func (c *Conv) Row(out []float32, outStride int, img []float32, oy int, scratch []float32) {
	g := c.geom
	oc, ow := c.OutChannels(), g.OutW()
	switch {
	case oy < 0 || oy >= g.OutH():
		panic(fmt.Sprintf("dwconv: output row %d outside 0..%d", oy, g.OutH()-1))
	case outStride < oc:
		panic(fmt.Sprintf("dwconv: output stride %d below the %d output channels", outStride, oc))
	case len(out) < oc || ow > 1 && outStride > (len(out)-oc)/(ow-1): // (ow-1)·outStride+oc > len(out), without overflow
		panic(fmt.Sprintf("dwconv: output row has %d values, too few for %d pixels %d apart", len(out), ow, outStride))
	case len(img) < g.InH*g.InW*g.Channels:
		panic(fmt.Sprintf("dwconv: image has %d values, want %d×%d×%d", len(img), g.InH, g.InW, g.Channels))
	case len(scratch) < c.ScratchLen():
		panic(fmt.Sprintf("dwconv: scratch has %d values, want %d", len(scratch), c.ScratchLen()))
	}
	// The window's input rows, a row of zeros where it hangs over the
	// top or bottom edge.
	var rowBuf [maxStackTaps][]float32
	rows := rowBuf[:0]
	rowLen := g.InW * g.Channels
	for ky := 0; ky < g.KH; ky++ {
		iy := oy*g.StrideH + ky*g.DilationH - g.PadTop
		if iy < 0 || iy >= g.InH {
			rows = append(rows, c.zero)
		} else {
			rows = append(rows, img[iy*rowLen:(iy+1)*rowLen])
		}
	}
	var tapBuf [maxStackTaps]*float32
	taps := tapBuf[:0]
	if n := g.KH * g.KW; n > maxStackTaps {
		taps = make([]*float32, 0, n)
	}
	m := c.w.Multiplier
	for j := 0; j < m; j++ {
		w := c.w.set(j)
		dst, dstStride := out, outStride
		if m > 1 {
			dst, dstStride = scratch, g.Channels
		}
		// The interior: one call for the run of pixels whose windows lie in
		// the row, every tap advancing by the stride.
		if c.interiorCols != nil {
			taps = taps[:0]
			for _, r := range rows {
				for _, off := range c.interiorCols {
					taps = append(taps, &r[off])
				}
			}
			c.kern.run(dst[c.x0*dstStride:], dstStride, taps, g.StrideW*g.Channels, c.x1-c.x0, g.Channels, w, c.lo, c.hi)
		}
		// The edges, a pixel at a time, taps off the row reading zeros.
		for _, e := range c.edges {
			taps = taps[:0]
			for _, r := range rows {
				for _, off := range e.cols {
					if off < 0 {
						taps = append(taps, &c.zero[0])
					} else {
						taps = append(taps, &r[off])
					}
				}
			}
			c.kern.run(dst[e.x*dstStride:], dstStride, taps, 0, 1, g.Channels, w, c.lo, c.hi)
		}
		if m > 1 {
			interleave(out, outStride, scratch, ow, g.Channels, m, j)
		}
	}
	if c.post.Kind != vec.ActNone {
		vec.ActivateRows(out, outStride, ow, oc, c.post)
	}
}

// interleave writes weight set j's row (pixels of channels values, dense)
// to output channels c·m+j.
func interleave(out []float32, outStride int, set []float32, width, channels, m, j int) {
	for x := 0; x < width; x++ {
		src := set[x*channels : (x+1)*channels]
		dst := out[x*outStride+j:]
		for c, v := range src {
			dst[c*m] = v
		}
	}
}

// Image computes every output row of one image into out, OutH×OutW×
// OutChannels NHWC.
func (c *Conv) Image(out, img, scratch []float32) { c.Rows(out, img, 0, c.geom.OutH(), scratch) }

// Rows computes output rows [y0, y1) of one image into out, the whole
// output image (OutH×OutW×OutChannels NHWC), leaving the other rows alone:
// the unit a planner hands to each thread.
func (c *Conv) Rows(out, img []float32, y0, y1 int, scratch []float32) {
	g := c.geom
	oc, ow := c.OutChannels(), g.OutW()
	rowLen := ow * oc
	if len(out) < g.OutH()*rowLen {
		panic(fmt.Sprintf("dwconv: output has %d values, want %d×%d×%d", len(out), g.OutH(), ow, oc))
	}
	if y0 < 0 || y1 > g.OutH() || y0 > y1 {
		panic(fmt.Sprintf("dwconv: rows [%d, %d) outside 0..%d", y0, y1, g.OutH()))
	}
	for oy := y0; oy < y1; oy++ {
		c.Row(out[oy*rowLen:(oy+1)*rowLen], oc, img, oy, scratch)
	}
}
