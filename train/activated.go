package train

import "github.com/simdnet/simdnet/ops"

// Layers with an activation= of their own (the convolutions) keep their
// pre-activation output for the backward pass when the activation is not
// linear: the derivatives of swish, GELU or hard_swish need it.

// newPreActivation returns the tensor such a layer keeps for batches of
// the given size, or nil for a linear one.
func newPreActivation(f ops.ActFunc, batch int, shape ops.Shape) *ops.Tensor {
	if f == ops.Linear {
		return nil
	}
	return ops.NewTensor(append([]int{batch}, shape...)...)
}

// forwardActivated runs l on in: straight into out without pre, otherwise
// without its activation into pre and then the activation into out.
func forwardActivated(l ops.Activated, pre, out *ops.Tensor, in []*ops.Tensor, mode ops.Mode) error {
	if pre == nil {
		return l.Forward(out, in, mode)
	}
	if err := l.ForwardLinear(pre, in, mode); err != nil {
		return err
	}
	act := ops.Activation{Name: l.LayerName(), Func: l.OutputActivation()}
	return act.Forward(out, []*ops.Tensor{pre}, mode)
}

// throughActivation returns the gradient at the pre-activation for the
// output gradient c.dy: c.dy itself without pre, otherwise c.dy·f'
// written into c.tmp.
func throughActivation(f ops.ActFunc, pre *ops.Tensor, c *backwardCtx) []float32 {
	if pre == nil {
		return c.dy
	}
	dz := c.tmp[:len(c.dy)]
	var x []float32
	if needsInput(f) {
		x = pre.Data
	}
	actGrad(f, dz, c.dy, x, c.out.Data, false)
	return dz
}
