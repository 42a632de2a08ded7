package train

import (
	"fmt"
	"time"

	"github.com/simdnet/simdnet/ops"
)

// phase is a part of a training step that Profile times apart.
type phase uint8

const (
	phaseForward  phase = iota // the node's forward
	phaseWeights               // its weight-gradient product (Conv2D, Dense)
	phaseBackward              // the rest of its backward: the input gradient of a Conv2D or Dense
	phases
)

// profiler accumulates the wall time of the parts of training steps, by
// node ID; two more rows after the nodes hold the loss and the update. A
// plan's profiler is nil outside Profile, and then every call is a no-op,
// so the steps Profile times run exactly the code of Step.
type profiler struct {
	spent [][phases]time.Duration
	last  time.Time
}

// row indices of the loss and the optimizer update in profiler.spent.
func (pr *profiler) lossRow() int   { return len(pr.spent) - 2 }
func (pr *profiler) updateRow() int { return len(pr.spent) - 1 }

// start begins timing the next part.
func (pr *profiler) start() {
	if pr != nil {
		pr.last = time.Now()
	}
}

// lap charges the time since the last start or lap to row (a node ID, or
// lossRow/updateRow) and phase ph.
func (pr *profiler) lap(row int, ph phase) {
	if pr == nil {
		return
	}
	now := time.Now()
	pr.spent[row][ph] += now.Sub(pr.last)
	pr.last = now
}

// LayerTime is one layer's share of a training step, as wall time per step.
// Weights is the weight-gradient product of a Conv2D or Dense, and Backward
// the rest of the layer's backward pass: its input gradient for those two,
// all of it for other layers (BatchNormalization's γ and β gradients
// included).
type LayerTime struct {
	Node     string // the layer's name
	Kind     string // its class, with a convolution's window, stride and channels
	Forward  time.Duration
	Weights  time.Duration
	Backward time.Duration
}

// Total is the layer's time per step.
func (lt LayerTime) Total() time.Duration { return lt.Forward + lt.Weights + lt.Backward }

// StepProfile is where the time of a training step goes: every layer in
// forward order, then the loss and the optimizer's update. A layer fused
// into its producer, such as a ReLU after a BatchNormalization, has its
// forward timed with the producer's, and only its backward (if any) on
// its own line.
type StepProfile struct {
	Steps  int // steps timed; every figure is per step
	Layers []LayerTime
	Loss   time.Duration // softmax cross-entropy and its gradient
	Update time.Duration // the optimizer
}

// Total is the step's time: the layers, the loss and the update.
func (sp *StepProfile) Total() time.Duration {
	t := sp.Loss + sp.Update
	for _, l := range sp.Layers {
		t += l.Total()
	}
	return t
}

// Profile runs steps optimizer steps on the batch, after one untimed step
// that sizes the buffers, exactly as Step runs them (they train the
// model), and returns the wall time of each layer's forward, weight
// gradient and rest of the backward pass, of the loss and of the update,
// per step.
func (t *Trainer) Profile(x *ops.Tensor, labels []int, steps int) (*StepProfile, error) {
	if steps < 1 {
		return nil, fmt.Errorf("train: profile of %d steps, want at least 1", steps)
	}
	if labels == nil {
		return nil, fmt.Errorf("train: profile needs the batch's labels")
	}
	if _, err := t.Step(x, labels); err != nil {
		return nil, err
	}
	p := t.plan
	pr := &profiler{spent: make([][phases]time.Duration, len(p.view)+2)}
	p.prof = pr
	defer func() { p.prof = nil }()
	for range steps {
		if _, err := t.Step(x, labels); err != nil {
			return nil, err
		}
	}
	per := func(d time.Duration) time.Duration { return d / time.Duration(steps) }
	sp := &StepProfile{Steps: steps, Loss: per(pr.spent[pr.lossRow()][phaseBackward]), Update: per(pr.spent[pr.updateRow()][phaseBackward])}
	for _, nd := range p.nodes {
		s := pr.spent[nd.ID]
		if nd == p.input || s == [phases]time.Duration{} {
			continue
		}
		sp.Layers = append(sp.Layers, LayerTime{Node: nd.Name(), Kind: LayerKind(nd),
			Forward: per(s[phaseForward]), Weights: per(s[phaseWeights]), Backward: per(s[phaseBackward])})
	}
	return sp, nil
}

// LayerKind names a node's layer for a profile: its class, with a
// convolution's window, stride and channels, and an activation's function.
func LayerKind(nd *ops.Node) string {
	switch l := nd.Layer.(type) {
	case *ops.Conv2D:
		return fmt.Sprintf("Conv2D %dx%d/s%d c%d→%d", l.KernelSize[0], l.KernelSize[1], l.Strides[0], l.InChannels(), l.Filters)
	case *ops.Activation:
		return "Activation " + l.Func.String()
	}
	return nd.Layer.Class()
}
