// Package hdf5 is a small, read-only, pure-Go reader for HDF5 files, written
// for the two kinds of files simdnet consumes: datasets such as the SIGNS
// tutorial files (train_signs.h5) and Keras 2 weight files (model.save /
// model.save_weights).
//
// Usage:
//
//	f, err := hdf5.Open("train_signs.h5")
//	if err != nil { ... }
//	defer f.Close()
//	x, err := f.Root().Dataset("train_set_x")
//	pixels, err := x.ReadUint8() // x.Shape() == [1080 64 64 3]
//
// Supported: superblock versions 0-3; object header versions 1 and 2 with
// continuation blocks; old-style groups (symbol table, version 1 B-tree,
// local heap) and new-style compact groups (link messages); hard and soft
// links; simple, scalar and null dataspaces; integer (8-64 bit, signed or
// not, either byte order), IEEE float (16/32/64 bit), enum (read as its base
// integer), fixed-length and variable-length string types; compact,
// contiguous and chunked layouts (layout message versions 1-4) with the
// version 1 B-tree, single chunk, implicit and fixed array chunk indexes;
// deflate, shuffle and fletcher32 filters; fill values for missing chunks;
// attribute messages versions 1-3; committed (shared) datatypes.
//
// Not supported, reported with an error wrapping ErrUnsupported when the
// affected object is used (never when the file is opened): dense link and
// attribute storage (fractal heaps, used by libver='latest' files for groups
// with more than 8 members or objects with many attributes), extensible
// array and version 2 B-tree chunk indexes (unlimited dimensions with
// libver='latest'), paged fixed arrays, external and virtual storage,
// filters other than deflate/shuffle/fletcher32 (blosc, lzf, szip, ...),
// compound, array, reference and opaque types, and external links.
//
// The reader is hardened against malformed input: every address and length
// is checked against the file size before use, traversals of B-trees,
// continuation chains and soft links detect cycles and are bounded, and no
// allocation exceeds what the file can justify, checked before it is made:
// contiguous data and variable-length strings by the file's size; a chunked
// dataset by what its stored chunks can decode to (deflate at most
// maxDeflateRatio times its stream), the fill of never-written chunks by the
// file's size; a deflate buffer by its stream's size, not the chunk's
// declared one. Every read is also capped at DefaultMaxRead (4 GiB), which
// WithMaxRead raises. Checksums of version 2 metadata
// are not verified. All errors are *Error values naming the file and object.
package hdf5
