package safetensors

import (
	"fmt"
	"io"
	"math"
	"os"
)

// readWhole reads the whole of f into a new buffer. For a regular file the
// buffer is sized from the file's size up front, so memory use is bounded by
// what is on disk; a file that changes size while being read is an error.
// Go's allocator returns 8-byte aligned buffers for allocations this large,
// so F32 tensors in a file written by this package can still be viewed
// without copying.
func readWhole(f *os.File, size int64, regular bool) ([]byte, error) {
	if !regular {
		return io.ReadAll(f)
	}
	if size < 0 || size > math.MaxInt {
		return nil, fmt.Errorf("file size %d is not addressable", size)
	}
	data := make([]byte, size)
	if _, err := io.ReadFull(f, data); err != nil {
		return nil, fmt.Errorf("reading %d bytes: %w", size, err)
	}
	return data, nil
}
