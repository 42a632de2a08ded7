package data

import (
	"fmt"

	"github.com/simdnet/simdnet/ops"
)

// OneHot encodes labels as an n×classes tensor with a 1 in each row's
// label column, the tutorial's convert_to_one_hot transposed to Keras's
// (samples, classes) layout.
func OneHot(labels []int, classes int) (*ops.Tensor, error) {
	t := ops.NewTensor(len(labels), classes)
	for i, l := range labels {
		if l < 0 || l >= classes {
			return nil, fmt.Errorf("data: one-hot: label %d of sample %d outside 0..%d", l, i, classes-1)
		}
		t.Data[i*classes+l] = 1
	}
	return t, nil
}
