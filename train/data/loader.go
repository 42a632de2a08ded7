package data

import (
	"fmt"

	"github.com/simdnet/simdnet/ops"
)

// Loader serves a dataset as mini-batches. Batch b of an epoch can be
// built in any order, which is what lets a training run resume in the
// middle of an epoch.
type Loader struct {
	Data      *Dataset
	BatchSize int
	// Shuffle visits the images of each epoch in Permutation(n, Seed,
	// epoch) order; otherwise in dataset order.
	Shuffle bool
	Seed    uint64
	// Augment, when not nil, changes every image as drawn from
	// AugmentRNG(Seed, epoch, index).
	Augment *Augmentation

	orderEpoch int
	order      []int // cached Order(orderEpoch)
}

// NumBatches is the number of batches in an epoch; the last one is
// smaller when BatchSize does not divide the dataset, as in Keras.
func (l *Loader) NumBatches() int {
	if l.BatchSize < 1 {
		return 0
	}
	return (l.Data.Len() + l.BatchSize - 1) / l.BatchSize
}

// Order returns the dataset indices epoch visits, in order. The slice is
// shared with the loader's cache: do not modify it.
func (l *Loader) Order(epoch int) []int {
	if l.order == nil || l.orderEpoch != epoch {
		if l.Shuffle {
			l.order = Permutation(l.Data.Len(), l.Seed, epoch)
		} else {
			l.order = identity(l.Data.Len())
		}
		l.orderEpoch = epoch
	}
	return l.order
}

// Batch builds batch b (from 0) of epoch: an NHWC tensor of its images and
// their labels.
func (l *Loader) Batch(epoch, b int) (*ops.Tensor, []int, error) {
	if n := l.NumBatches(); b < 0 || b >= n {
		return nil, nil, fmt.Errorf("data: batch %d of an epoch of %d batches of %d", b, n, l.BatchSize)
	}
	order := l.Order(epoch)
	idx := order[b*l.BatchSize : min((b+1)*l.BatchSize, len(order))]
	d := l.Data
	x := ops.NewTensor(len(idx), d.Height, d.Width, d.Channels)
	labels := make([]int, len(idx))
	n := d.ImageLen()
	var src []float32
	if l.Augment != nil {
		src = make([]float32, n)
	}
	for k, i := range idx {
		labels[k] = d.Labels[i]
		dst := x.Data[k*n : (k+1)*n]
		if l.Augment == nil {
			d.Image(i, dst)
			continue
		}
		d.Image(i, src)
		l.Augment.Apply(dst, src, d.Height, d.Width, d.Channels, d.MaxValue, AugmentRNG(l.Seed, epoch, i))
	}
	return x, labels, nil
}

// All returns the whole dataset as one tensor and its labels, in dataset
// order, for evaluation or prediction.
func (d *Dataset) All() (*ops.Tensor, []int) {
	x := ops.NewTensor(d.Len(), d.Height, d.Width, d.Channels)
	n := d.ImageLen()
	for i := range d.Len() {
		d.Image(i, x.Data[i*n:(i+1)*n])
	}
	return x, append([]int(nil), d.Labels...)
}
