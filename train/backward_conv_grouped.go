package train

import (
	"github.com/simdnet/simdnet/gemm"
	"github.com/simdnet/simdnet/ops"
)

// generalConv trains the Conv2D layers the im2col path does not cover:
// grouped, dilated, or with an activation= of their own. Their patches are
// gathered block by block and group by group, as the layer's Forward does.
var generalConv = layerTraining{newState: newGeneralConvState, forward: generalConvForward, backward: generalConvBackward}

// isGeneralConv reports whether l needs generalConv.
func isGeneralConv(l *ops.Conv2D) bool { return !l.Plain() || l.Activation != ops.Linear }

// generalConvBlock bounds the patch rows of one block to 256 KiB of
// values per buffer (a variable so that tests can make blocks small).
var generalConvBlock = 1 << 16

type generalConvState struct {
	pre         *ops.Tensor // pre-activation output; nil without an activation
	patches, dp []float32   // one block of patches and of their gradients
	geom        *ops.ConvPatches
}

func newGeneralConvState(nd *ops.Node, batch int) any {
	l := nd.Layer.(*ops.Conv2D)
	pg, err := l.Patches(nd.Inputs[0].Shape)
	if err != nil {
		panic("train: " + err.Error()) // the plan checked the shapes
	}
	block := max(1, generalConvBlock/pg.K) * pg.K
	return &generalConvState{geom: pg, patches: make([]float32, block), dp: make([]float32, block),
		pre: newPreActivation(l.Activation, batch, nd.Shape)}
}

func generalConvForward(c *forwardCtx) error {
	return forwardActivated(c.nd.Layer.(*ops.Conv2D), c.state.(*generalConvState).pre, c.out, c.in, c.mode)
}

// generalConvBackward takes the gradient through the activation, then for
// each block of output rows and each group g, with P the group's patches
// and dZ its columns of the output gradient,
//
//	dW_g += Pᵀ·dZ,  dP = dZ·W_gᵀ  (scattered onto dx),  db = Σ dZ
func generalConvBackward(c *backwardCtx) {
	l := c.nd.Layer.(*ops.Conv2D)
	st := c.state.(*generalConvState)
	pg := st.geom
	dz := throughActivation(l.Activation, st.pre, c)
	f := l.Filters
	fg := f / pg.Groups
	rows := len(dz) / f
	block := len(st.patches) / pg.K
	dw := c.grad(l.Kernel)
	if l.Bias != nil {
		columnSums(c.grad(l.Bias), dz, f)
	}
	x := c.in[0].Data
	dx := c.dx[0]
	if dx != nil && !c.accum[0] {
		clear(dx)
	}
	for r0 := 0; r0 < rows; r0 += block {
		r1 := min(r0+block, rows)
		beta := float32(1)
		if r0 == 0 {
			beta = 0
		}
		for grp := 0; grp < pg.Groups; grp++ {
			pg.Gather(st.patches, x, grp, r0, r1)
			gemm.Run(&gemm.Params{M: pg.K, N: fg, K: r1 - r0, Alpha: 1, Beta: beta,
				A: st.patches, LDA: pg.K, TransA: true,
				B: dz[r0*f+grp*fg:], LDB: f, C: dw[grp*fg:], LDC: f, SplitK: true})
			if dx == nil {
				continue
			}
			gemm.Run(&gemm.Params{M: r1 - r0, N: pg.K, K: fg, Alpha: 1,
				A: dz[r0*f+grp*fg:], LDA: f, B: l.Kernel.Value[grp*fg:], LDB: f, TransB: true,
				C: st.dp, LDC: pg.K})
			pg.Scatter(dx, st.dp, grp, r0, r1)
		}
	}
}
