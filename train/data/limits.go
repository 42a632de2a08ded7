package data

import (
	"fmt"
	"math/bits"

	"github.com/simdnet/simdnet/ops"
)

// Limits bound what a loader allocates on the word of a file: a data set's
// declared size is checked against them before any memory is committed to
// it, so a corrupt or hostile file (an .h5 declaring 2^30 images, a label
// of 10^12, a PNG declaring 60000×60000 pixels) gets an error naming the
// file instead of a fatal out-of-memory. Independently of the limits, an
// HDF5 data set must also fit what its file can hold (weights/hdf5 checks
// its storage before reading it).
//
// Raise a limit to load a larger data set; a zero field takes the value
// of DefaultLimits.
type Limits struct {
	// MaxBytes bounds the images of one data set in memory: uint8 pixels
	// count one byte each, float values four.
	MaxBytes int64
	// MaxClasses bounds the number of classes, which without a class list
	// is the largest label plus one.
	MaxClasses int
	// MaxImagePixels bounds width × height of each image file, read from
	// its header with image.DecodeConfig before it is decoded.
	MaxImagePixels int
}

// DefaultLimits are the limits of LoadH5, LoadSIGNS and of options whose
// Limits are zero: 4 GiB of images (350,000 64×64×3 images as uint8),
// 65536 classes, and ops.DefaultMaxImagePixels pixels per image file. A
// program may change them before it loads data.
var DefaultLimits = Limits{
	MaxBytes:       4 << 30,
	MaxClasses:     1 << 16,
	MaxImagePixels: ops.DefaultMaxImagePixels,
}

// orDefault fills the zero fields of l from DefaultLimits.
func (l Limits) orDefault() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultLimits.MaxBytes
	}
	if l.MaxClasses <= 0 {
		l.MaxClasses = DefaultLimits.MaxClasses
	}
	if l.MaxImagePixels <= 0 {
		l.MaxImagePixels = DefaultLimits.MaxImagePixels
	}
	return l
}

// imagesBytes is the memory n images of h×w×c values take at elemSize bytes
// a value; ok is false when that overflows int64 or exceeds max.
func imagesBytes(n, h, w, c, elemSize int, max int64) (size uint64, ok bool) {
	size = 1
	for _, v := range []int{n, h, w, c, elemSize} {
		hi, lo := bits.Mul64(size, uint64(v))
		if hi != 0 || lo > 1<<63-1 {
			return 1<<64 - 1, false
		}
		size = lo
	}
	return size, size <= uint64(max)
}

// byteSize writes a byte count for people, in binary units: 1.6 KiB,
// 12.7 MiB, 12.0 TiB.
func byteSize(n uint64) string {
	if n == 1<<64-1 {
		return "more than 8 EiB"
	}
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	v, unit := float64(n)/1024, 0
	for v >= 1024 && unit < 5 {
		v /= 1024
		unit++
	}
	return fmt.Sprintf("%.1f %ciB", v, "KMGTPE"[unit])
}
