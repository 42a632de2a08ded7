package ops

// ForwardRef pads by the definition: out[n, y, x, c] is in[n, y-top,
// x-left, c] inside the image and zero elsewhere.
func (l *ZeroPadding2D) ForwardRef(out *Tensor, in []*Tensor, _ Mode) error {
	if err := checkForward(l, out, in); err != nil {
		return err
	}
	x := in[0]
	h, w, c := x.Shape[1], x.Shape[2], x.Shape[3]
	oh, ow := out.Shape[1], out.Shape[2]
	for n := 0; n < x.Shape[0]; n++ {
		for y := 0; y < oh; y++ {
			for xo := 0; xo < ow; xo++ {
				for ch := 0; ch < c; ch++ {
					v := float32(0)
					if iy, ix := y-l.Top, xo-l.Left; iy >= 0 && iy < h && ix >= 0 && ix < w {
						v = x.Data[((n*h+iy)*w+ix)*c+ch]
					}
					out.Data[((n*oh+y)*ow+xo)*c+ch] = v
				}
			}
		}
	}
	return nil
}
