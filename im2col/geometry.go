package im2col

import "fmt"

// Geometry is one convolution's sampling pattern over an NHWC batch: the
// input extent, the kernel window, the strides and the zero padding on each
// side. Padding may be asymmetric, as TensorFlow's "same" padding is for even
// kernels or strides above one.
type Geometry struct {
	N, H, W, C int // input batch, height, width and channels
	KH, KW     int // kernel window
	SH, SW     int // strides

	PadTop, PadBottom int
	PadLeft, PadRight int
}

// OutH is the number of output rows.
func (g Geometry) OutH() int { return (g.H+g.PadTop+g.PadBottom-g.KH)/g.SH + 1 }

// OutW is the number of output columns.
func (g Geometry) OutW() int { return (g.W+g.PadLeft+g.PadRight-g.KW)/g.SW + 1 }

// Rows is the number of patches, N*OutH*OutW: the rows of the patch matrix.
func (g Geometry) Rows() int { return g.N * g.OutH() * g.OutW() }

// Cols is the length of one patch, KH*KW*C: the columns of the patch matrix.
func (g Geometry) Cols() int { return g.KH * g.KW * g.C }

// InputLen is the number of values in the input batch, N*H*W*C.
func (g Geometry) InputLen() int { return g.N * g.H * g.W * g.C }

// Pointwise reports whether the geometry is a 1×1 window without padding, in
// which case each patch is one input pixel's channel vector.
func (g Geometry) Pointwise() bool {
	return g.KH == 1 && g.KW == 1 && g.PadTop == 0 && g.PadBottom == 0 && g.PadLeft == 0 && g.PadRight == 0
}

// Validate reports a geometry that describes no convolution: non-positive
// sizes or strides, negative padding, or a window larger than the padded
// input.
func (g Geometry) Validate() error {
	switch {
	case g.N < 1 || g.H < 1 || g.W < 1 || g.C < 1:
		return fmt.Errorf("im2col: input %d×%d×%d×%d (N×H×W×C) must be positive", g.N, g.H, g.W, g.C)
	case g.KH < 1 || g.KW < 1:
		return fmt.Errorf("im2col: kernel %d×%d must be positive", g.KH, g.KW)
	case g.SH < 1 || g.SW < 1:
		return fmt.Errorf("im2col: strides %d×%d must be positive", g.SH, g.SW)
	case g.PadTop < 0 || g.PadBottom < 0 || g.PadLeft < 0 || g.PadRight < 0:
		return fmt.Errorf("im2col: padding (top %d, bottom %d, left %d, right %d) must not be negative",
			g.PadTop, g.PadBottom, g.PadLeft, g.PadRight)
	case g.H+g.PadTop+g.PadBottom < g.KH || g.W+g.PadLeft+g.PadRight < g.KW:
		return fmt.Errorf("im2col: kernel %d×%d is larger than the padded input %d×%d",
			g.KH, g.KW, g.H+g.PadTop+g.PadBottom, g.W+g.PadLeft+g.PadRight)
	}
	return nil
}

// patchOrigin returns the batch offset and the top-left input coordinates
// (possibly negative, in the padding) of the window for patch row r.
func (g Geometry) patchOrigin(r, oh, ow int) (base, ih0, iw0 int) {
	n := r / (oh * ow)
	rem := r - n*oh*ow
	y := rem / ow
	x := rem - y*ow
	return n * g.H * g.W * g.C, y*g.SH - g.PadTop, x*g.SW - g.PadLeft
}
