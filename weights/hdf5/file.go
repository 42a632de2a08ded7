package hdf5

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
)

// File is an open, read-only HDF5 file. Its methods and the Groups, Datasets
// and Attributes derived from it are safe for concurrent use as long as the
// underlying io.ReaderAt is (an *os.File is).
type File struct {
	r      io.ReaderAt
	closer io.Closer
	size   uint64
	name   string
	sb     *superblock
	root   *Group

	mu         sync.Mutex
	gheaps     map[uint64]*globalHeap // parsed global heap collections by address
	gheapBytes uint64                 // bytes held by gheaps, capped at the file size

	maxRead uint64 // see WithMaxRead
}

// maxDeflateRatio is the largest expansion deflate can achieve (about
// 1032:1). Chunked data can never legitimately decode to more than the file
// size times this, which gives a file-relative allocation bound.
const maxDeflateRatio = 1032

// minAllocLimit keeps the allocation bound usable for tiny files, e.g. a
// small file whose chunks were never written and read back as fill values.
const minAllocLimit = 1 << 20

// Open opens the named HDF5 file for reading. Errors name the file by its
// base name.
func Open(path string, opts ...Option) (*File, error) {
	name := filepath.Base(path)
	fh, err := os.Open(path)
	if err != nil {
		return nil, &Error{File: name, Err: err}
	}
	st, err := fh.Stat()
	if err != nil {
		fh.Close()
		return nil, &Error{File: name, Err: err}
	}
	f, err := NewReader(fh, st.Size(), name, opts...)
	if err != nil {
		fh.Close()
		return nil, err
	}
	f.closer = fh
	return f, nil
}

// NewReader reads an HDF5 file of the given size from r. The name is used only
// in error messages. Close does not close r.
func NewReader(r io.ReaderAt, size int64, name string, opts ...Option) (*File, error) {
	return newFile(r, size, name, true, opts...)
}

// newFile is NewReader with a switch for the end-of-file check, so internal
// tests can push truncated files past Open into the deeper parsers.
func newFile(r io.ReaderAt, size int64, name string, checkEOF bool, opts ...Option) (*File, error) {
	if size < 0 {
		return nil, &Error{File: name, Err: corruptf("negative file size %d", size)}
	}
	f := &File{r: r, size: uint64(size), name: name, gheaps: map[uint64]*globalHeap{}, maxRead: DefaultMaxRead}
	for _, o := range opts {
		o(f)
	}
	sb, err := f.readSuperblock()
	if err != nil {
		return nil, f.wrap("", err)
	}
	f.sb = sb
	// The superblock records where the file should end (an absolute offset,
	// unlike other addresses); a shorter file has been truncated, e.g. by an
	// interrupted download, which is better reported up front than as a
	// puzzling error deep inside a dataset.
	if checkEOF && sb.eof != undefAddr && sb.eof > f.size {
		return nil, f.wrap("", corruptf("file is truncated: superblock says it ends at byte %d, but it has %d bytes", sb.eof, f.size))
	}
	oh, err := f.readObjectHeader(sb.rootAddr)
	if err != nil {
		return nil, f.wrap(`group "/"`, err)
	}
	root, err := f.newGroup("/", oh)
	if err != nil {
		return nil, f.wrap(`group "/"`, err)
	}
	f.root = root
	return f, nil
}

// Close releases the file opened by Open. It is a no-op for NewReader files.
func (f *File) Close() error {
	if f.closer == nil {
		return nil
	}
	c := f.closer
	f.closer = nil
	return c.Close()
}

// Name returns the name used in error messages.
func (f *File) Name() string { return f.name }

// Root returns the root group "/".
func (f *File) Root() *Group { return f.root }

// Group opens a group by absolute path; shorthand for f.Root().Group(path).
func (f *File) Group(path string) (*Group, error) { return f.root.Group(path) }

// Dataset opens a dataset by absolute path; shorthand for f.Root().Dataset(path).
func (f *File) Dataset(path string) (*Dataset, error) { return f.root.Dataset(path) }

// allocLimit bounds the size of any single decoded dataset or chunk: data
// that did not come verbatim from the file must come from decompression, so
// more than size*maxDeflateRatio bytes cannot be justified by the file; and
// no read may exceed the limit set with WithMaxRead.
func (f *File) allocLimit() uint64 { return min(f.decodeLimit(), f.maxRead) }

// decodeLimit is what all of the file's data together can decode to.
func (f *File) decodeLimit() uint64 { return max(satMul(f.size, maxDeflateRatio), minAllocLimit) }

// verbatimLimit bounds bytes that must be stored in the file as they are
// read (strings in global heaps, the fill of never-written chunks): the
// file's size, or minAllocLimit for tiny files, and WithMaxRead's limit.
func (f *File) verbatimLimit() uint64 {
	return min(max(f.size, minAllocLimit), f.maxRead)
}

// satMul multiplies, saturating at the largest uint64.
func satMul(a, b uint64) uint64 {
	if p, ok := mulCheck(a, b, undefAddr); ok {
		return p
	}
	return undefAddr
}

// abs converts a file address (relative to the superblock's base address)
// into an absolute offset, rejecting anything that does not fit n bytes
// inside the file.
func (f *File) abs(addr, n uint64) (uint64, error) {
	if addr == undefAddr {
		return 0, corruptf("use of undefined address")
	}
	var base uint64
	if f.sb != nil {
		base = f.sb.base
	}
	a := addr + base
	if a < addr || a > f.size || n > f.size-a {
		return 0, corruptf("%d bytes at address %d extend past the end of the file (%d bytes)", n, addr, f.size)
	}
	return a, nil
}

// readAt reads exactly n bytes at the file address addr. The bounds check
// happens before the allocation, so n can never exceed the file size.
func (f *File) readAt(addr, n uint64) ([]byte, error) {
	a, err := f.abs(addr, n)
	if err != nil {
		return nil, err
	}
	buf := make([]byte, n)
	if err := f.readFull(buf, a); err != nil {
		return nil, err
	}
	return buf, nil
}

// readUpTo reads up to n bytes at addr, fewer if the file ends first. It is
// used for headers whose full length is only known after parsing a prefix.
func (f *File) readUpTo(addr, n uint64) ([]byte, error) {
	a, err := f.abs(addr, 0)
	if err != nil {
		return nil, err
	}
	if n > f.size-a {
		n = f.size - a
	}
	buf := make([]byte, n)
	if err := f.readFull(buf, a); err != nil {
		return nil, err
	}
	return buf, nil
}

func (f *File) readFull(buf []byte, absOff uint64) error {
	if len(buf) == 0 {
		return nil
	}
	n, err := f.r.ReadAt(buf, int64(absOff))
	if n == len(buf) {
		return nil
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("reading %d bytes at offset %d: %w", len(buf), absOff, err)
}
