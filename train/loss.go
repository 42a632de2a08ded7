package train

import (
	"fmt"
	"math"
)

// softmaxCrossEntropy is categorical cross-entropy on the softmax of
// logits (rows of width classes), fused so that it is stable for any
// logits: each row's loss is logsumexp(z) - z[label], computed in float64
// after subtracting the row's maximum. This is what Keras computes for a
// softmax output, whose logits it hands to the loss.
//
// It writes the probabilities into probs and, when grad is not nil, the
// gradient of the mean loss, (p - onehot(label))/batch, into grad. It
// returns the summed (not averaged) loss and how many rows have their
// largest logit (the first, on ties) at the label.
func softmaxCrossEntropy(logits []float32, classes int, labels []int, probs, grad []float32) (loss float64, correct int, err error) {
	batch := len(logits) / classes
	if err := checkLabels(labels, batch, classes); err != nil {
		return 0, 0, err
	}
	inv := 1 / float64(batch)
	for r, y := range labels {
		z := logits[r*classes : (r+1)*classes]
		p := probs[r*classes : (r+1)*classes]
		best := 0
		for i, v := range z {
			if v > z[best] {
				best = i
			}
		}
		if best == y {
			correct++
		}
		m := float64(z[best])
		var sum float64
		for _, v := range z {
			sum += math.Exp(float64(v) - m)
		}
		lse := m + math.Log(sum)
		loss += lse - float64(z[y])
		for i, v := range z {
			p[i] = float32(math.Exp(float64(v) - lse))
		}
		if grad != nil {
			d := grad[r*classes : (r+1)*classes]
			for i := range d {
				t := math.Exp(float64(z[i]) - lse)
				if i == y {
					t--
				}
				d[i] = float32(t * inv)
			}
		}
	}
	return loss, correct, nil
}

// checkLabels requires one class index in [0, classes) per sample.
func checkLabels(labels []int, batch, classes int) error {
	if len(labels) != batch {
		return fmt.Errorf("train: %d labels for a batch of %d", len(labels), batch)
	}
	for i, y := range labels {
		if y < 0 || y >= classes {
			return fmt.Errorf("train: label %d of sample %d is outside [0, %d)", y, i, classes)
		}
	}
	return nil
}

// softmaxRows writes the softmax of each row of logits (of width classes)
// into dst, stable for any logits: exponents are taken after subtracting
// the row's maximum, and summed in float64.
func softmaxRows(dst, logits []float32, classes int) {
	for r := 0; r < len(logits); r += classes {
		z, p := logits[r:r+classes], dst[r:r+classes]
		m := z[0]
		for _, v := range z {
			m = max(m, v)
		}
		var sum float64
		for _, v := range z {
			sum += math.Exp(float64(v - m))
		}
		for i, v := range z {
			p[i] = float32(math.Exp(float64(v-m)) / sum)
		}
	}
}
