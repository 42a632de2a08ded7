package ops

// ForwardRef computes the convolution by its definition, for filter f of
// group g = f / (filters/groups) over that group's cg channels:
//
//	out[n, y, x, f] = act(bias[f] + Σ_{ky, kx, c<cg} in[n, y*sh-padTop+ky*dh, x*sw-padLeft+kx*dw, g*cg+c] · kernel[ky, kx, c, f])
//
// with taps outside the image contributing nothing.
func (l *Conv2D) ForwardRef(out *Tensor, in []*Tensor, _ Mode) error {
	if err := checkForward(l, out, in); err != nil {
		return err
	}
	x := in[0]
	w, _ := l.windows([]Shape{x.Shape[1:]})
	n, h, wd, c := x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3]
	oh, ow, nf := w[0].out, w[1].out, l.Filters
	cg := l.Kernel.Shape[2]
	fg := nf / max(l.Groups, 1)
	k := l.Kernel.Value
	for b := 0; b < n; b++ {
		for y := 0; y < oh; y++ {
			for xo := 0; xo < ow; xo++ {
				for f := 0; f < nf; f++ {
					var sum float64
					if l.Bias != nil {
						sum = float64(l.Bias.Value[f])
					}
					c0 := f / fg * cg
					for ky := 0; ky < w[0].k; ky++ {
						ih := y*w[0].stride - w[0].before + ky*w[0].dilation
						if ih < 0 || ih >= h {
							continue
						}
						for kx := 0; kx < w[1].k; kx++ {
							iw := xo*w[1].stride - w[1].before + kx*w[1].dilation
							if iw < 0 || iw >= wd {
								continue
							}
							for ci := 0; ci < cg; ci++ {
								v := x.Data[((b*h+ih)*wd+iw)*c+c0+ci]
								kv := k[((ky*w[1].k+kx)*cg+ci)*nf+f]
								sum += float64(v) * float64(kv)
							}
						}
					}
					out.Data[((b*oh+y)*ow+xo)*nf+f] = float32(actRef(l.Activation, sum))
				}
			}
		}
	}
	return nil
}
