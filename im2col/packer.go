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
	src       []float32
	g         Geometry
	oh, ow    int
	pointwise bool
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
	return &Packer{src: src, g: g, oh: g.OutH(), ow: g.OutW(), pointwise: g.Pointwise()}
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
			if pk.pointwise {
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

// packRow writes values [p0, p0+kc) of patch r to out[0], out[mr], ...
// Walking the patch one kernel row (ky) at a time, the taps that fall inside
// the image are adjacent pixels of one input row, and in NHWC their channels
// form a single contiguous run: so each kernel row is at most a run of
// zeros, one copied run and another run of zeros, whatever C is.
func (pk *Packer) packRow(out []float32, r, p0, kc, mr int) {
	g := &pk.g
	base, ih0, iw0 := g.patchOrigin(r, pk.oh, pk.ow)
	rowLen := g.KW * g.C
	// Columns [lo, hi) of every kernel row lie inside the image.
	lo := max(0, -iw0) * g.C
	hi := max(lo, min(g.KW, g.W-iw0)*g.C)
	for p := 0; p < kc; {
		ky, j := (p0+p)/rowLen, (p0+p)%rowLen
		end := min(rowLen, j+kc-p)
		dst := out[p*mr:]
		p += end - j
		ih := ih0 + ky
		if ih < 0 || ih >= g.H {
			zeroStrided(dst, end-j, mr)
			continue
		}
		a, b := min(max(j, lo), end), max(min(end, hi), j) // the copied part of [j, end)
		if a >= b {
			zeroStrided(dst, end-j, mr)
			continue
		}
		zeroStrided(dst, a-j, mr)
		row := base + (ih*g.W+iw0)*g.C // may point left of the image; [lo, hi) does not
		scatter(dst[(a-j)*mr:], pk.src[row+a:row+b], mr)
		if end > b {
			zeroStrided(dst[(b-j)*mr:], end-b, mr)
		}
	}
}

// PackRows writes rows [i0, i0+mc) and columns [p0, p0+kc) of the patch
// matrix row-major into dst with row stride ld,
//
//	dst[i*ld + p] = patch(i0+i)[p0+p]
//
// as gemm.RowPacker asks: each patch is a few contiguous runs of the input
// and of zeros (see packRow), so packing is memmove and memclr, with no
// strided stores. gemm prefers it to PackA. The split of [p0, p0+kc) into
// kernel rows is the same for every patch, so it is worked out once, and
// the patch origin advances pixel by pixel without divisions.
func (pk *Packer) PackRows(dst []float32, ld, i0, mc, p0, kc int) {
	if mc <= 0 {
		return
	}
	g := &pk.g
	var segs [maxSegs]segment
	nseg := 0
	if !pk.pointwise {
		rowLen := g.KW * g.C
		for p := 0; p < kc; nseg++ {
			if nseg == maxSegs {
				// More kernel rows than fit: the general path.
				for i := 0; i < mc; i++ {
					pk.copyRow(dst[i*ld:i*ld+kc], i0+i, p0)
				}
				return
			}
			ky, j := (p0+p)/rowLen, (p0+p)%rowLen
			end := min(rowLen, j+kc-p)
			segs[nseg] = segment{ky: ky, j: j, end: end, p: p}
			p += end - j
		}
	}
	base, ih0, iw0 := g.patchOrigin(i0, pk.oh, pk.ow)
	x := (iw0 + g.PadLeft) / g.SW
	y := (ih0 + g.PadTop) / g.SH
	img := g.H * g.W * g.C
	// Blocks that span whole kernel rows (every KC block of a window up to
	// KC values deep, such as conv1's 7×7×3) copy interior patches, which
	// need no clipping, in one call.
	whole := !pk.pointwise && p0 == 0 && kc == g.KH*g.KW*g.C
	for i := 0; i < mc; i++ {
		out := dst[i*ld : i*ld+kc]
		if whole && ih0 >= 0 && ih0+g.KH <= g.H && iw0 >= 0 && iw0+g.KW <= g.W {
			copyRuns(out, pk.src[base+(ih0*g.W+iw0)*g.C:], g.KH, g.KW*g.C, g.W*g.C)
		} else if pk.pointwise {
			off := base + (ih0*g.W+iw0)*g.C + p0
			copy(out, pk.src[off:off+kc])
		} else {
			// Columns [lo, hi) of every kernel row lie inside the image.
			lo := max(0, -iw0) * g.C
			hi := max(lo, min(g.KW, g.W-iw0)*g.C)
			for _, sg := range segs[:nseg] {
				d := out[sg.p : sg.p+sg.end-sg.j]
				ih := ih0 + sg.ky
				a, b := min(max(sg.j, lo), sg.end), max(min(sg.end, hi), sg.j) // the copied part of [j, end)
				if ih < 0 || ih >= g.H || a >= b {
					clear(d)
					continue
				}
				if a > sg.j {
					clear(d[:a-sg.j])
				}
				row := base + (ih*g.W+iw0)*g.C // may point left of the image; [lo, hi) does not
				copy(d[a-sg.j:b-sg.j], pk.src[row+a:row+b])
				if b < sg.end {
					clear(d[b-sg.j:])
				}
			}
		}
		// Next patch: one output pixel right, wrapping to the next output
		// row and the next image.
		if x++; x < pk.ow {
			iw0 += g.SW
			continue
		}
		x, iw0 = 0, -g.PadLeft
		if y++; y < pk.oh {
			ih0 += g.SH
			continue
		}
		y, ih0 = 0, -g.PadTop
		base += img
	}
}

// maxSegs bounds the kernel rows one PackRows block may span on the fast
// path (KC-deep blocks of 3×3 and 7×7 windows take at most a few).
const maxSegs = 16

// segment is the part of a patch block that lies in kernel row ky: columns
// [j, end) of that kernel row, at offset p of the block.
type segment struct{ ky, j, end, p int }

// copyRow is packRow for a contiguous destination: values [p0, p0+len(out))
// of patch r.
func (pk *Packer) copyRow(out []float32, r, p0 int) {
	g := &pk.g
	base, ih0, iw0 := g.patchOrigin(r, pk.oh, pk.ow)
	rowLen := g.KW * g.C
	lo := max(0, -iw0) * g.C
	hi := max(lo, min(g.KW, g.W-iw0)*g.C)
	kc := len(out)
	for p := 0; p < kc; {
		ky, j := (p0+p)/rowLen, (p0+p)%rowLen
		end := min(rowLen, j+kc-p)
		dst := out[p : p+end-j]
		p += end - j
		ih := ih0 + ky
		if ih < 0 || ih >= g.H {
			clear(dst)
			continue
		}
		a, b := min(max(j, lo), end), max(min(end, hi), j) // the copied part of [j, end)
		if a >= b {
			clear(dst)
			continue
		}
		clear(dst[:a-j])
		row := base + (ih*g.W+iw0)*g.C
		copy(dst[a-j:b-j], pk.src[row+a:row+b])
		clear(dst[b-j:])
	}
}

// scatter writes src to dst[0], dst[mr], dst[2*mr], ...
func scatter(dst, src []float32, mr int) {
	if len(src) == 0 {
		return
	}
	dst = dst[:(len(src)-1)*mr+1]
	for j, v := range src {
		dst[j*mr] = v
	}
}

// zeroStrided clears dst[0], dst[mr], ..., n values in all.
func zeroStrided(dst []float32, n, mr int) {
	if n <= 0 {
		return
	}
	dst = dst[:(n-1)*mr+1]
	for j := 0; j < n; j++ {
		dst[j*mr] = 0
	}
}

// gatherRow is packRow for a pointwise window: patch r is the channel vector
// of one input pixel.
func (pk *Packer) gatherRow(out []float32, r, p0, kc, mr int) {
	g := &pk.g
	base, ih, iw := g.patchOrigin(r, pk.oh, pk.ow)
	off := base + (ih*g.W+iw)*g.C + p0
	scatter(out, pk.src[off:off+kc], mr)
}
