package ops

// convWindow is one spatial axis of a convolution: input length, kernel
// taps, stride and dilation, and the padding Keras's mode implies. It is
// shared by the convolutions that take dilation_rate.
type convWindow struct {
	in, k, stride, dilation int
	out, before, after      int
}

// span is the extent the dilated kernel covers: (k-1)·dilation + 1.
func (w convWindow) span() int { return (w.k-1)*w.dilation + 1 }

// newConvWindow resolves the output length and padding of one axis; out < 1
// means the kernel does not fit.
func newConvWindow(p Padding, in, k, stride, dilation int) convWindow {
	w := convWindow{in: in, k: k, stride: stride, dilation: dilation}
	w.out, w.before, w.after = p.Window(in, w.span(), stride)
	return w
}

// checkConvArgs reports kernel sizes, strides or dilations Keras rejects.
func checkConvArgs(l Layer, kernel, strides, dilation [2]int, p Padding) error {
	switch {
	case kernel[0] < 1 || kernel[1] < 1:
		return layerErr(l, "kernel size %v, want positive", kernel)
	case strides[0] < 1 || strides[1] < 1:
		return layerErr(l, "strides %v, want positive", strides)
	case dilation[0] < 1 || dilation[1] < 1:
		return layerErr(l, "dilation_rate %v, want positive", dilation)
	case p != Valid && p != Same:
		return layerErr(l, "unknown padding %v", p)
	}
	return nil
}

// orOne replaces a zero pair (an unset field) by (1, 1).
func orOne(v [2]int) [2]int {
	if v == [2]int{} {
		return [2]int{1, 1}
	}
	return v
}
