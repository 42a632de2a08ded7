package train

import (
	"fmt"

	"github.com/simdnet/simdnet/ops"
)

// StepResult sums up one batch: the mean loss over its samples, how many
// the model classified right (largest logit at the label), and how many
// samples there were.
type StepResult struct {
	Loss    float64
	Correct int
	Count   int
}

// Accuracy is Correct/Count (0 for an empty result).
func (r StepResult) Accuracy() float64 {
	if r.Count == 0 {
		return 0
	}
	return float64(r.Correct) / float64(r.Count)
}

// Trainer trains a classifier graph with softmax cross-entropy. It owns the
// graph's weights while it runs and is not safe for concurrent use. The
// buffers of the last few batch sizes are kept, so a steady loop of steps
// allocates (almost) nothing.
type Trainer struct {
	g        *ops.Graph
	opt      Optimizer
	plan     *plan
	spaces   workspaces
	schedule Schedule
	epoch    int
}

// NewTrainer plans training for g with opt (Adam with Keras's defaults when
// nil). The graph must end in a softmax (whose logits the loss then takes)
// or in linear logits, and every layer must be one this package has a
// backward pass for.
func NewTrainer(g *ops.Graph, opt Optimizer) (*Trainer, error) {
	if opt == nil {
		opt = NewAdam()
	}
	p, err := newPlan(g, planOptions{})
	if err != nil {
		return nil, err
	}
	return &Trainer{g: g, opt: opt, plan: p}, nil
}

// Graph returns the graph being trained.
func (t *Trainer) Graph() *ops.Graph { return t.g }

// Optimizer returns the optimizer.
func (t *Trainer) Optimizer() Optimizer { return t.opt }

// SetSchedule sets a learning-rate schedule, applied before every step; nil
// leaves the rate to the caller.
func (t *Trainer) SetSchedule(s Schedule) { t.schedule = s }

// SetEpoch tells the schedule which epoch the coming steps belong to.
func (t *Trainer) SetEpoch(epoch int) { t.epoch = epoch }

// Step runs one optimizer step on a batch in Training mode: forward (which
// also moves BatchNormalization's moving averages), loss, backward, update.
// The result's loss is the batch's before the update.
func (t *Trainer) Step(x *ops.Tensor, labels []int) (StepResult, error) {
	r, err := t.Gradients(x, labels)
	if err != nil {
		return r, err
	}
	if t.schedule != nil {
		t.opt.SetLearningRate(t.schedule(t.epoch, t.opt.Iterations()))
	}
	t.plan.prof.start()
	t.opt.Update(t.plan.params, t.plan.grads)
	if pr := t.plan.prof; pr != nil {
		pr.lap(pr.updateRow(), phaseBackward)
	}
	return r, nil
}

// Gradients runs the forward and backward passes of Step without updating
// the weights; TrainableParams and Grads then hold the gradients of the
// batch's mean loss.
func (t *Trainer) Gradients(x *ops.Tensor, labels []int) (StepResult, error) {
	ws, err := t.prepare(x, labels)
	if err != nil {
		return StepResult{}, err
	}
	logits, err := t.plan.forward(ws, x, ops.Training)
	if err != nil {
		return StepResult{}, err
	}
	ws.allocGrads(t.plan)
	t.plan.prof.start()
	r, err := t.loss(ws, logits, labels, ws.ownGrad(t.plan, t.plan.output))
	if err != nil {
		return r, err
	}
	if pr := t.plan.prof; pr != nil {
		pr.lap(pr.lossRow(), phaseBackward)
	}
	t.plan.backward(ws)
	return r, nil
}

// TrainableParams returns the trainable parameters in Keras order, and
// Grads their gradients from the last Step or Gradients, aligned with them.
// Both are the trainer's own slices.
func (t *Trainer) TrainableParams() []*ops.Param { return t.plan.params }
func (t *Trainer) Grads() [][]float32            { return t.plan.grads }

// Evaluate measures loss and accuracy on a batch in Inference mode, changing
// nothing. Callers split large sets into batches.
func (t *Trainer) Evaluate(x *ops.Tensor, labels []int) (StepResult, error) {
	return t.evaluateBatch(x, labels, nil)
}

// evaluateBatch is Evaluate, and when confusion is not nil it also adds
// the batch's (label, predicted class) pairs to it from the same forward
// pass: the class of the largest logit (the first of equal ones), as
// StepResult.Correct counts.
func (t *Trainer) evaluateBatch(x *ops.Tensor, labels []int, confusion [][]int) (StepResult, error) {
	ws, err := t.prepare(x, labels)
	if err != nil {
		return StepResult{}, err
	}
	logits, err := t.plan.forward(ws, x, ops.Inference)
	if err != nil {
		return StepResult{}, err
	}
	r, err := t.loss(ws, logits, labels, nil)
	if err != nil || confusion == nil {
		return r, err
	}
	k := logits.Shape[1]
	for i, l := range labels {
		row := logits.Data[i*k : (i+1)*k]
		best := 0
		for j, v := range row {
			if v > row[best] {
				best = j
			}
		}
		confusion[l][best]++
	}
	return r, nil
}

// Predict returns the class probabilities of a batch, (batch, classes), in
// Inference mode.
func (t *Trainer) Predict(x *ops.Tensor) (*ops.Tensor, error) {
	ws, err := t.prepare(x, nil)
	if err != nil {
		return nil, err
	}
	logits, err := t.plan.forward(ws, x, ops.Inference)
	if err != nil {
		return nil, err
	}
	out := ops.NewTensor(logits.Shape...)
	softmaxRows(out.Data, logits.Data, logits.Shape[1])
	return out, nil
}

// ReleaseBuffers drops the buffers kept for the batch sizes seen so far
// (for the seed ResNet50 about 260 MB at batch 32, which smaller batches
// share); the next call allocates afresh. Weights, gradients and the optimizer state stay.
func (t *Trainer) ReleaseBuffers() { t.spaces = workspaces{} }

// prepare checks a batch and its labels (nil: none) before anything runs,
// so a bad call leaves the moving averages alone, and returns the batch
// size's workspace.
func (t *Trainer) prepare(x *ops.Tensor, labels []int) (*workspace, error) {
	in := t.plan.input.Shape
	if x == nil || len(x.Shape) != len(in)+1 || x.Shape[0] < 1 || !x.Shape[1:].Equal(in) || len(x.Data) != x.Shape.Len() {
		var got any = "nil"
		if x != nil {
			got = x.Shape
		}
		return nil, fmt.Errorf("train: input batch has shape %v, want (batch, %v)", got, in)
	}
	if labels != nil {
		if err := checkLabels(labels, x.Shape[0], t.plan.output.Shape[0]); err != nil {
			return nil, err
		}
	}
	return t.spaces.get(t.plan, x.Shape[0]), nil
}

// loss evaluates the loss of the logits, and its gradient into grad when
// grad is not nil.
func (t *Trainer) loss(ws *workspace, logits *ops.Tensor, labels []int, grad []float32) (StepResult, error) {
	sum, correct, err := softmaxCrossEntropy(logits.Data, logits.Shape[1], labels, ws.probs, grad)
	if err != nil {
		return StepResult{}, err
	}
	return StepResult{Loss: sum / float64(len(labels)), Correct: correct, Count: len(labels)}, nil
}
