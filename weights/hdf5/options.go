package hdf5

// DefaultMaxRead is the most bytes one read (a dataset, an attribute's
// strings, one decoded chunk) may produce unless raised with WithMaxRead:
// 4 GiB, beyond any weight tensor or image set simdnet reads, and low enough
// that a hostile file cannot exhaust a laptop's memory with one dataset.
// Every read is also bounded by what the file can justify (see Dataset),
// which is usually far less.
const DefaultMaxRead = 4 << 30

// Option configures Open and NewReader.
type Option func(*File)

// WithMaxRead sets the most bytes a single read may produce, replacing
// DefaultMaxRead; reads beyond it fail with ErrTooLarge before allocating.
func WithMaxRead(n uint64) Option {
	return func(f *File) { f.maxRead = n }
}
