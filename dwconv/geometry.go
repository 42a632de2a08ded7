package dwconv

import "fmt"

// Geometry is one depthwise convolution's sampling pattern over an NHWC
// image: the input extent, the window, strides, dilations and the zero
// padding on each side (asymmetric, as TensorFlow's "same" can be).
type Geometry struct {
	InH, InW, Channels int // one input image
	KH, KW             int // window
	StrideH, StrideW   int
	DilationH          int // 1 for none
	DilationW          int

	PadTop, PadBottom int
	PadLeft, PadRight int
}

// OutH is the number of output rows.
func (g Geometry) OutH() int {
	return (g.InH+g.PadTop+g.PadBottom-g.DilationH*(g.KH-1)-1)/g.StrideH + 1
}

// OutW is the number of output columns.
func (g Geometry) OutW() int {
	return (g.InW+g.PadLeft+g.PadRight-g.DilationW*(g.KW-1)-1)/g.StrideW + 1
}

// Limits that keep every index arithmetic of a geometry within int64, and
// the image within what one slice can hold.
const (
	maxExtent = 1 << 20
	maxImage  = 1 << 40
)

// Validate reports a geometry that describes no convolution, or one whose
// sizes are beyond any image.
func (g Geometry) Validate() error {
	switch {
	case g.InH < 1 || g.InW < 1 || g.Channels < 1:
		return fmt.Errorf("dwconv: input %d×%d×%d (H×W×C) must be positive", g.InH, g.InW, g.Channels)
	case g.KH < 1 || g.KW < 1:
		return fmt.Errorf("dwconv: window %d×%d must be positive", g.KH, g.KW)
	case g.StrideH < 1 || g.StrideW < 1:
		return fmt.Errorf("dwconv: strides %d×%d must be positive", g.StrideH, g.StrideW)
	case g.DilationH < 1 || g.DilationW < 1:
		return fmt.Errorf("dwconv: dilations %d×%d must be positive", g.DilationH, g.DilationW)
	case g.PadTop < 0 || g.PadBottom < 0 || g.PadLeft < 0 || g.PadRight < 0:
		return fmt.Errorf("dwconv: padding (top %d, bottom %d, left %d, right %d) must not be negative",
			g.PadTop, g.PadBottom, g.PadLeft, g.PadRight)
	case g.InH > maxExtent || g.InW > maxExtent || g.Channels > maxExtent || g.KH > maxExtent || g.KW > maxExtent ||
		g.DilationH > maxExtent || g.DilationW > maxExtent || g.StrideH > maxExtent || g.StrideW > maxExtent ||
		g.PadTop > maxExtent || g.PadBottom > maxExtent || g.PadLeft > maxExtent || g.PadRight > maxExtent:
		return fmt.Errorf("dwconv: a size of %+v exceeds %d", g, maxExtent)
	case int64(g.InH)*int64(g.InW)*int64(g.Channels) > maxImage:
		return fmt.Errorf("dwconv: input %d×%d×%d exceeds %d values", g.InH, g.InW, g.Channels, int64(maxImage))
	case g.InH+g.PadTop+g.PadBottom < g.DilationH*(g.KH-1)+1 || g.InW+g.PadLeft+g.PadRight < g.DilationW*(g.KW-1)+1:
		return fmt.Errorf("dwconv: dilated window %d×%d is larger than the padded input %d×%d",
			g.DilationH*(g.KH-1)+1, g.DilationW*(g.KW-1)+1, g.InH+g.PadTop+g.PadBottom, g.InW+g.PadLeft+g.PadRight)
	}
	return nil
}

// interior returns the output columns [x0, x1) whose windows lie wholly
// inside the input row; the columns before and after are the edges.
func (g Geometry) interior() (x0, x1 int) {
	ow := g.OutW()
	x0 = min((g.PadLeft+g.StrideW-1)/g.StrideW, ow)
	last := g.InW - 1 - (g.KW-1)*g.DilationW + g.PadLeft // largest x·SW allowed
	x1 = x0
	if last >= 0 {
		x1 = min(max(last/g.StrideW+1, x0), ow)
	}
	return x0, x1
}
