package train

import (
	"fmt"

	"github.com/simdnet/simdnet/train/data"
)

// Evaluation is a model's performance on a data set.
type Evaluation struct {
	StepResult // Loss is the mean over all images
	// Confusion counts images by true class (row) and predicted class
	// (column), over the model's output classes.
	Confusion [][]int
}

// Evaluate measures t's model on d in Inference mode, in batches of
// batchSize (32 when 0), as Keras's model.evaluate, and also counts its
// confusion matrix.
func Evaluate(t *Trainer, d *data.Dataset, batchSize int) (*Evaluation, error) {
	if err := checkData(t, "evaluation", d); err != nil {
		return nil, err
	}
	classes := t.Graph().OutputNode().Shape[0]
	e := &Evaluation{Confusion: make([][]int, classes)}
	for i := range e.Confusion {
		e.Confusion[i] = make([]int, classes)
	}
	res, err := evaluate(t, d, batchSize, e.Confusion)
	if err != nil {
		return nil, err
	}
	e.StepResult = res
	return e, nil
}

// evaluate runs d through the model in dataset order and returns its mean
// loss and accuracy; with a confusion matrix it also predicts and counts.
func evaluate(t *Trainer, d *data.Dataset, batchSize int, confusion [][]int) (StepResult, error) {
	if batchSize <= 0 {
		batchSize = 32
	}
	l := &data.Loader{Data: d, BatchSize: batchSize}
	var total StepResult
	var lossSum float64
	for b := range l.NumBatches() {
		x, labels, err := l.Batch(0, b)
		if err != nil {
			return total, err
		}
		res, err := t.evaluateBatch(x, labels, confusion)
		if err != nil {
			return total, fmt.Errorf("train: evaluating batch %d: %w", b, err)
		}
		lossSum += res.Loss * float64(res.Count)
		total.Correct += res.Correct
		total.Count += res.Count
	}
	total.Loss = lossSum / float64(total.Count)
	return total, nil
}
