package safetensors

import (
	"encoding/binary"
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
		return readStream(f)
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

// readStream reads a safetensors file from a stream that has no size (a
// pipe, /dev/stdin, a character device such as /dev/zero) without trusting
// it to end: the length prefix, then at most maxHeaderLen bytes of header,
// then the data buffer the header declares and one byte more, so that
// Parse sees trailing data as the error it is. Memory grows with the bytes
// actually delivered, never with what the header claims. When a part is
// malformed, what was read so far is returned for Parse to diagnose.
func readStream(r io.Reader) ([]byte, error) {
	data := make([]byte, prefixLen)
	n, err := io.ReadFull(r, data)
	if err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return data[:n], nil
		}
		return nil, err
	}
	hdrLen := binary.LittleEndian.Uint64(data)
	if hdrLen > maxHeaderLen {
		return data, nil
	}
	if data, err = readAppend(data, r, int64(hdrLen)); err != nil {
		return nil, err
	}
	bufLen, ok := declaredDataLen(data[prefixLen:])
	if !ok || len(data) < prefixLen+int(hdrLen) {
		return data, nil
	}
	return readAppend(data, r, int64(bufLen)+1)
}

// readAppend appends up to n bytes of r to data, growing as bytes arrive.
func readAppend(data []byte, r io.Reader, n int64) ([]byte, error) {
	rest, err := io.ReadAll(io.LimitReader(r, n))
	if err != nil {
		return nil, err
	}
	return append(data, rest...), nil
}
