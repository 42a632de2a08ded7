package ops

import (
	"image"
	"image/color"
	"sync"
)

// ImagePixels writes img into dst as an h×w×3 float32 RGB image scaled to
// [0, 1] (the tutorial's X/255), resized with Resize's filter when its size
// differs: area averaging along an axis that shrinks, bilinear
// interpolation on pixel centres along one that grows. Transparent pixels
// are composited over black, as image.Image's RGBA method defines them.
// dst must hold h*w*3 values.
//
// The image is read one row at a time, straight into the resize: a 12 MP
// photo costs a row of floats, not a float copy of the photo. JPEG
// (*image.YCbCr), *image.RGBA, *image.NRGBA and *image.Gray images are
// read from their pixel arrays; other types through At. In steady state
// ImagePixels allocates nothing.
func ImagePixels(dst []float32, img image.Image, h, w int) {
	b := img.Bounds()
	r := resizers.Get().(*resizer)
	r.img = imageRows{img: img, bounds: b, lut: &unit8}
	r.resample(dst[:h*w*3], h, w, b.Dy(), b.Dx(), 3, &r.img)
	r.img = imageRows{}
	resizers.Put(r)
}

// Resize resamples an h×w×c image (row-major, channels last) to oh×ow×c.
// Along an axis that shrinks, each output sample is the mean of the input
// over its footprint, input samples at the footprint's ends weighted by
// the fraction they cover (area averaging: OpenCV's INTER_AREA, PIL's BOX
// filter), so detail finer than the output's spacing averages out instead
// of aliasing. Along an axis that grows, it interpolates bilinearly on
// pixel centres (TensorFlow's half_pixel_centers, PIL's BILINEAR),
// clamping at the edges. An axis of equal size is copied. Halving a size
// averages each 2×2 block exactly under either filter.
func Resize(dst []float32, oh, ow int, src []float32, h, w, c int) {
	r := resizers.Get().(*resizer)
	r.flt = floatRows{src: src, rowLen: w * c}
	r.resample(dst[:oh*ow*c], oh, ow, h, w, c, &r.flt)
	r.flt = floatRows{}
	resizers.Put(r)
}

// resizers keeps the buffers of resizes, so that steady-state calls
// allocate nothing.
var resizers = sync.Pool{New: func() any { return new(resizer) }}

// resizer holds one resize's filters and row buffers.
type resizer struct {
	ys, xs axisFilter
	row    []float32 // one input row, w×c
	hrow   []float32 // one input row resized horizontally, ow×c
	img    imageRows
	flt    floatRows
}

// rowSource delivers input rows as float32 values, channels last.
type rowSource interface {
	// row returns input row y, using buf (w×c values) if it needs room.
	row(y int, buf []float32) []float32
}

// resample resizes the h×w×c input of src into dst (oh×ow×c). The filter
// is separable: each input row is filtered horizontally once, then added
// with its vertical weight into every output row whose footprint it falls
// in. Input rows no output uses are never read.
func (r *resizer) resample(dst []float32, oh, ow, h, w, c int, src rowSource) {
	r.ys.build(oh, h)
	r.xs.build(ow, w)
	r.row = grow(r.row, w*c)
	r.hrow = grow(r.hrow, ow*c)
	clear(dst)
	first := 0 // the first output row whose footprint may hold input row y
	for y := 0; y < h && first < oh; y++ {
		for first < oh && r.ys.end(first) <= y {
			first++
		}
		if first == oh || r.ys.start[first] > y {
			continue
		}
		r.xs.apply(r.hrow, src.row(y, r.row), c)
		for oy := first; oy < oh && r.ys.start[oy] <= y; oy++ {
			if y >= r.ys.end(oy) {
				continue
			}
			wy := r.ys.weight(oy, y)
			out := dst[oy*ow*c : (oy+1)*ow*c]
			for i, v := range r.hrow {
				out[i] += wy * v
			}
		}
	}
}

// grow returns buf with length n, reallocated only when too small.
func grow(buf []float32, n int) []float32 {
	if cap(buf) < n {
		return make([]float32, n)
	}
	return buf[:n]
}

// axisFilter is the resampling of one axis from n input samples to m:
// output o is the sum over k < count(o) of weights[off[o]+k] times input
// start[o]+k. Starts and ends never decrease with o.
type axisFilter struct {
	m, n    int
	start   []int
	off     []int // len m+1
	weights []float32
}

func (f *axisFilter) end(o int) int { return f.start[o] + f.off[o+1] - f.off[o] }

// weight is the weight of input i in output o, which must cover it.
func (f *axisFilter) weight(o, i int) float32 { return f.weights[f.off[o]+i-f.start[o]] }

// build computes the filter of an axis resized from n samples to m,
// reusing the filter's slices; it does nothing when they are already for
// that resize.
func (f *axisFilter) build(m, n int) {
	if f.m == m && f.n == n && len(f.off) == m+1 {
		return
	}
	f.m, f.n = m, n
	f.start = f.start[:0]
	f.off = append(f.off[:0], 0)
	f.weights = f.weights[:0]
	switch {
	case m == n:
		for o := range m {
			f.start = append(f.start, o)
			f.weights = append(f.weights, 1)
			f.off = append(f.off, len(f.weights))
		}
	case m < n:
		// Output o covers [o·n/m, (o+1)·n/m) of the input. In units of
		// 1/m that is [o·n, (o+1)·n), and input i covers [i·m, (i+1)·m):
		// overlaps are exact integers and each output's weights sum to n.
		for o := range m {
			lo, hi := o*n, (o+1)*n
			i := lo / m
			f.start = append(f.start, i)
			for ; i*m < hi; i++ {
				overlap := min(hi, (i+1)*m) - max(lo, i*m)
				f.weights = append(f.weights, float32(float64(overlap)/float64(n)))
			}
			f.off = append(f.off, len(f.weights))
		}
	default:
		// Bilinear: output o's centre (o+½)·n/m lands at s between inputs
		// i and i+1 (centres at i+½), clamped to the first and last.
		scale := float64(n) / float64(m)
		for o := range m {
			s := min(max((float64(o)+0.5)*scale-0.5, 0), float64(n-1))
			i := int(s)
			frac := s - float64(i)
			f.start = append(f.start, i)
			f.weights = append(f.weights, float32(1-frac))
			if i+1 < n {
				f.weights = append(f.weights, float32(frac))
			}
			f.off = append(f.off, len(f.weights))
		}
	}
}

// apply filters one row of n×c values into out (m×c).
func (f *axisFilter) apply(out, row []float32, c int) {
	if c == 3 {
		for o := range f.m {
			ws := f.weights[f.off[o]:f.off[o+1]]
			in := row[f.start[o]*3 : (f.start[o]+len(ws))*3]
			var r, g, b float32
			for k, wk := range ws {
				r += wk * in[3*k]
				g += wk * in[3*k+1]
				b += wk * in[3*k+2]
			}
			out[3*o], out[3*o+1], out[3*o+2] = r, g, b
		}
		return
	}
	for o := range f.m {
		ws := f.weights[f.off[o]:f.off[o+1]]
		in := row[f.start[o]*c:]
		px := out[o*c : (o+1)*c]
		clear(px)
		for k, wk := range ws {
			for ch := range px {
				px[ch] += wk * in[k*c+ch]
			}
		}
	}
}

// floatRows serves the rows of a float image in place.
type floatRows struct {
	src    []float32
	rowLen int
}

func (s *floatRows) row(y int, _ []float32) []float32 {
	return s.src[y*s.rowLen : (y+1)*s.rowLen]
}

// unit8 maps an 8-bit sample to [0, 1]: unit8[v] == float32(v)/255.
var unit8 = func() (t [256]float32) {
	for v := range t {
		t[v] = float32(v) / 255
	}
	return t
}()

// imageRows serves the rows of an image.Image as RGB in [0, 1].
type imageRows struct {
	img    image.Image
	bounds image.Rectangle
	lut    *[256]float32
}

func (s *imageRows) row(y int, buf []float32) []float32 {
	b, lut := s.bounds, s.lut
	y += b.Min.Y
	w := b.Dx()
	switch im := s.img.(type) {
	case *image.YCbCr:
		ycbcrRow(buf, im, b.Min.X, w, y, lut)
	case *image.RGBA: // premultiplied: already composited over black
		pix := im.Pix[im.PixOffset(b.Min.X, y):]
		for x := range w {
			buf[3*x], buf[3*x+1], buf[3*x+2] = lut[pix[4*x]], lut[pix[4*x+1]], lut[pix[4*x+2]]
		}
	case *image.NRGBA:
		pix := im.Pix[im.PixOffset(b.Min.X, y):]
		for x := range w {
			p := pix[4*x : 4*x+4]
			if a := p[3]; a == 255 {
				buf[3*x], buf[3*x+1], buf[3*x+2] = lut[p[0]], lut[p[1]], lut[p[2]]
			} else {
				// Premultiply exactly as NRGBA.RGBA does, in 16 bits.
				a16 := uint32(a) * 0x101
				buf[3*x] = float32(uint32(p[0])*0x101*a16/0xffff) / 0xffff
				buf[3*x+1] = float32(uint32(p[1])*0x101*a16/0xffff) / 0xffff
				buf[3*x+2] = float32(uint32(p[2])*0x101*a16/0xffff) / 0xffff
			}
		}
	case *image.Gray:
		pix := im.Pix[im.PixOffset(b.Min.X, y):]
		for x := range w {
			v := lut[pix[x]]
			buf[3*x], buf[3*x+1], buf[3*x+2] = v, v, v
		}
	default:
		for x := range w {
			r, g, bb, _ := s.img.At(b.Min.X+x, y).RGBA()
			buf[3*x], buf[3*x+1], buf[3*x+2] = float32(r)/0xffff, float32(g)/0xffff, float32(bb)/0xffff
		}
	}
	return buf[:3*w]
}

// ycbcrRow converts w pixels of row y of im, from column x0, to RGB in
// [0, 1]. Each chroma sample's share of the conversion is computed once
// for the run of pixels that shares it.
func ycbcrRow(buf []float32, im *image.YCbCr, x0, w, y int, lut *[256]float32) {
	yRow := im.Y[im.YOffset(x0, y) : im.YOffset(x0, y)+w]
	buf = buf[:3*w]
	if x0 < 0 {
		// YCbCr.COffset divides coordinates rounding towards zero, which
		// the shifts below do not do for negative ones.
		for x := range w {
			ci := im.COffset(x0+x, y)
			r, g, b := color.YCbCrToRGB(yRow[x], im.Cb[ci], im.Cr[ci])
			buf[3*x], buf[3*x+1], buf[3*x+2] = lut[r], lut[g], lut[b]
		}
		return
	}
	shift := 0 // log2 of the horizontal chroma subsampling
	switch im.SubsampleRatio {
	case image.YCbCrSubsampleRatio422, image.YCbCrSubsampleRatio420:
		shift = 1
	case image.YCbCrSubsampleRatio411, image.YCbCrSubsampleRatio410:
		shift = 2
	}
	cRow := im.COffset(x0, y) - x0>>shift
	for x := 0; x < w; {
		cx := (x0 + x) >> shift
		run := min((cx+1)<<shift-x0, w) - x
		rc, gc, bc := chromaTerms(im.Cb[cRow+cx], im.Cr[cRow+cx])
		for _, yv := range yRow[x : x+run] {
			yy := int32(yv) * 0x10101
			px := buf[3*x : 3*x+3]
			px[0], px[1], px[2] = lut[clamp8(yy+rc)], lut[clamp8(yy+gc)], lut[clamp8(yy+bc)]
			x++
		}
	}
}

// chromaTerms are the chroma parts of the JFIF YCbCr to RGB conversion in
// 16.16 fixed point (R = Y + 1.402 Cr', G = Y − 0.34414 Cb' − 0.71414 Cr',
// B = Y + 1.772 Cb', with Cb' = Cb − 128), the arithmetic of
// color.YCbCrToRGB, which the tests check for all 2^24 inputs.
func chromaTerms(cb, cr uint8) (r, g, b int32) {
	cb1, cr1 := int32(cb)-128, int32(cr)-128
	return 91881 * cr1, -22554*cb1 - 46802*cr1, 116130 * cb1
}

// clamp8 is a 16.16 fixed-point value rounded down to an 8-bit sample.
func clamp8(v int32) uint8 {
	return uint8(min(max(v>>16, 0), 255))
}

// imageInputs keeps the tensors ImageInput hands out.
var imageInputs = sync.Pool{New: func() any { return new(Tensor) }}

// ImageInput returns img as a 1×h×w×3 input tensor made by ImagePixels,
// taken from a pool: give it back with PutImageInput once the model has
// read it, and a steady stream of images costs no allocation.
func ImageInput(img image.Image, h, w int) *Tensor {
	x := imageInputs.Get().(*Tensor)
	x.Shape = append(x.Shape[:0], 1, h, w, 3)
	x.Data = grow(x.Data, h*w*3)
	ImagePixels(x.Data, img, h, w)
	return x
}

// PutImageInput returns a tensor from ImageInput to the pool; x must not
// be used afterwards.
func PutImageInput(x *Tensor) { imageInputs.Put(x) }
