package ops

// ForwardRef computes the convolution by its definition:
//
//	out[n, y, x, f] = bias[f] + Σ_{ky, kx, c} in[n, y*sh-padTop+ky, x*sw-padLeft+kx, c] · kernel[ky, kx, c, f]
//
// with taps outside the image contributing nothing.
func (l *Conv2D) ForwardRef(out *Tensor, in []*Tensor, _ Mode) error {
	if err := checkForward(l, out, in); err != nil {
		return err
	}
	x := in[0]
	g, _ := l.Geometry(x.Shape[0], x.Shape[1:])
	oh, ow, nf := g.OutH(), g.OutW(), l.Filters
	k := l.Kernel.Value
	for n := 0; n < g.N; n++ {
		for y := 0; y < oh; y++ {
			for xo := 0; xo < ow; xo++ {
				for f := 0; f < nf; f++ {
					var sum float64
					if l.Bias != nil {
						sum = float64(l.Bias.Value[f])
					}
					for ky := 0; ky < g.KH; ky++ {
						ih := y*g.SH - g.PadTop + ky
						if ih < 0 || ih >= g.H {
							continue
						}
						for kx := 0; kx < g.KW; kx++ {
							iw := xo*g.SW - g.PadLeft + kx
							if iw < 0 || iw >= g.W {
								continue
							}
							for c := 0; c < g.C; c++ {
								v := x.Data[((n*g.H+ih)*g.W+iw)*g.C+c]
								w := k[((ky*g.KW+kx)*g.C+c)*nf+f]
								sum += float64(v) * float64(w)
							}
						}
					}
					out.Data[((n*oh+y)*ow+xo)*nf+f] = float32(sum)
				}
			}
		}
	}
	return nil
}
