package data

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// Split sets aside round(fraction·N) images, chosen by a permutation drawn
// from seed, as a validation set and returns the rest as the training set.
// Both keep the images' original relative order. Unlike Keras's
// validation_split, which takes the last images, a random choice does not
// depend on how the file happens to be sorted (folders are sorted by
// class).
func (d *Dataset) Split(fraction float64, seed uint64) (train, val *Dataset, err error) {
	n := d.Len()
	k := int(math.Round(fraction * float64(n)))
	if !(fraction > 0 && fraction < 1) || k < 1 || k >= n {
		return nil, nil, fmt.Errorf("data: validation fraction %g of %d images leaves an empty set", fraction, n)
	}
	perm := rand.New(rand.NewPCG(seed^splitStream, 0)).Perm(n)
	valIdx, trainIdx := perm[:k], perm[k:]
	slices.Sort(valIdx)
	slices.Sort(trainIdx)
	return d.Subset(trainIdx), d.Subset(valIdx), nil
}
