package train

import (
	"github.com/simdnet/simdnet/internal/parallel"
	"github.com/simdnet/simdnet/ops"
)

func init() {
	register[*ops.DepthwiseConv2D](layerTraining{
		newState: newDepthwiseState,
		forward:  depthwiseForward,
		backward: depthwiseBackward,
	})
}

// depthwiseState keeps a depthwise convolution's pre-activation output
// (when it has an activation) and one kernel-and-bias gradient per image,
// summed in image order so the result does not depend on the threads.
type depthwiseState struct {
	pre     *ops.Tensor // nil without an activation
	partial []float32   // by image: kh·kw·C·M kernel gradient, then C·M bias gradient
}

func newDepthwiseState(nd *ops.Node, batch int) any {
	l := nd.Layer.(*ops.DepthwiseConv2D)
	st := &depthwiseState{partial: depthwisePartials(l, batch)}
	if l.Activation != ops.Linear {
		st.pre = ops.NewTensor(append([]int{batch}, nd.Shape...)...)
	}
	return st
}

// depthwisePartials is room for one kernel-and-bias gradient per image.
func depthwisePartials(l *ops.DepthwiseConv2D, batch int) []float32 {
	return make([]float32, batch*(l.Kernel.Len()+l.Kernel.Shape[2]*l.Kernel.Shape[3]))
}

// depthwiseForward keeps the pre-activation output when the layer has an
// activation whose derivative needs it.
func depthwiseForward(c *forwardCtx) error {
	l := c.nd.Layer.(*ops.DepthwiseConv2D)
	st := c.state.(*depthwiseState)
	if st.pre == nil {
		return l.Forward(c.out, c.in, c.mode)
	}
	if err := l.ForwardLinear(st.pre, c.in, c.mode); err != nil {
		return err
	}
	act := ops.Activation{Name: l.Name, Func: l.Activation}
	return act.Forward(c.out, []*ops.Tensor{st.pre}, c.mode)
}

// depthwiseBackward takes the gradient through the activation, then, image
// by image over the cores, scatters it onto the input gradient and gathers
// the kernel and bias gradients in one pass over the output.
func depthwiseBackward(c *backwardCtx) {
	l := c.nd.Layer.(*ops.DepthwiseConv2D)
	st := c.state.(*depthwiseState)
	x := c.in[0]
	g, _ := l.Geometry(x.Shape[0], x.Shape[1:])
	dz := c.dy
	if st.pre != nil {
		dz = c.tmp[:len(c.dy)]
		var pre []float32
		if needsInput(l.Activation) {
			pre = st.pre.Data
		}
		actGrad(l.Activation, dz, c.dy, pre, c.out.Data, false)
	}
	depthwiseGrad(l, g, st.partial, x.Data, dz, c.dx[0], c.accum[0], c.grad)
}

// depthwiseGrad computes the input gradient (into dx, nil when not
// wanted; added when accum) and the kernel and bias gradients of a
// depthwise convolution of x for the pre-activation output gradient dz,
// image by image over the cores with one partial per image in partial.
func depthwiseGrad(l *ops.DepthwiseConv2D, g ops.DepthwiseGeometry, partial, x, dz, dx []float32, accum bool, grad func(*ops.Param) []float32) {
	nk, cm := l.Kernel.Len(), g.C*g.M
	per := nk + cm
	parallel.For(g.N, 1, func(lo, hi int) {
		for n := lo; n < hi; n++ {
			part := partial[n*per : (n+1)*per]
			clear(part)
			depthwiseImageGrad(g, n, dz, x, l.Kernel.Value, dx, accum, part[:nk], part[nk:])
		}
	})
	dw := grad(l.Kernel)
	clear(dw)
	var db []float32
	if l.Bias != nil {
		db = grad(l.Bias)
		clear(db)
	}
	for n := 0; n < g.N; n++ {
		part := partial[n*per : (n+1)*per]
		for i, v := range part[:nk] {
			dw[i] += v
		}
		if db != nil {
			for i, v := range part[nk:] {
				db[i] += v
			}
		}
	}
}

// depthwiseImageGrad is image n's share of the depthwise convolution's
// gradients, for the output gradient dz: it adds
//
//	dx[n, iy, ix, c]    += dz[n, oy, ox, c·M+j] · kernel[ky, kx, c, j]
//	dkernel[ky, kx, c, j] += dz[n, oy, ox, c·M+j] · x[n, iy, ix, c]
//	dbias[c·M+j]         += dz[n, oy, ox, c·M+j]
//
// over the taps (iy, ix) = (oy·sh - top + ky·dh, ox·sw - left + kx·dw)
// inside the image, after zeroing the image's dx unless accum. dx may be
// nil (no input gradient wanted).
func depthwiseImageGrad(g ops.DepthwiseGeometry, n int, dz, x, k, dx []float32, accum bool, dk, db []float32) {
	c, m := g.C, g.M
	cm := c * m
	img := x[n*g.H*g.W*c : (n+1)*g.H*g.W*c]
	var dimg []float32
	if dx != nil {
		dimg = dx[n*g.H*g.W*c : (n+1)*g.H*g.W*c]
		if !accum {
			clear(dimg)
		}
	}
	for oy := 0; oy < g.OutH; oy++ {
		for ox := 0; ox < g.OutW; ox++ {
			gz := dz[((n*g.OutH+oy)*g.OutW+ox)*cm:][:cm]
			for i, v := range gz {
				db[i] += v
			}
			for ky := 0; ky < g.KH; ky++ {
				iy := oy*g.SH - g.PadTop + ky*g.DH
				if iy < 0 || iy >= g.H {
					continue
				}
				for kx := 0; kx < g.KW; kx++ {
					ix := ox*g.SW - g.PadLeft + kx*g.DW
					if ix < 0 || ix >= g.W {
						continue
					}
					px := img[(iy*g.W+ix)*c:][:c]
					tap := (ky*g.KW + kx) * cm
					w, dw := k[tap:][:cm], dk[tap:][:cm]
					if m == 1 {
						gz, w, dw := gz[:c], w[:c], dw[:c]
						for i, v := range px {
							dw[i] += gz[i] * v
						}
						if dimg != nil {
							dp := dimg[(iy*g.W+ix)*c:][:c]
							for i, gv := range gz {
								dp[i] += gv * w[i]
							}
						}
						continue
					}
					for i, v := range px {
						gi, wi, dwi := gz[i*m:(i+1)*m], w[i*m:(i+1)*m], dw[i*m:(i+1)*m]
						var s float32
						for j, gv := range gi {
							dwi[j] += gv * v
							s += gv * wi[j]
						}
						if dimg != nil {
							dimg[(iy*g.W+ix)*c+i] += s
						}
					}
				}
			}
		}
	}
}
