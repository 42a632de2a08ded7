package data

import "math/rand/v2"

// Stream constants keep the generators of shuffling, augmentation and
// splitting apart: one seed drives them all without their draws being
// related.
const (
	shuffleStream = 0x53485546464c4531 // "SHUFFLE1"
	augmentStream = 0x4155474d454e5431 // "AUGMENT1"
	splitStream   = 0x53504c4954303031 // "SPLIT001"
)

// Permutation returns the order in which epoch (counted from 0) visits n
// items: a permutation that depends only on seed and epoch, so that a run
// resumed at any epoch replays the order an unbroken run used.
func Permutation(n int, seed uint64, epoch int) []int {
	return rand.New(rand.NewPCG(seed^shuffleStream, uint64(epoch))).Perm(n)
}
