// Package safetensors reads and writes the safetensors container format used
// by PyTorch and Hugging Face for model weights.
//
// A file is an 8-byte little-endian length N, N bytes of UTF-8 JSON header,
// and a data buffer. The header maps each tensor name to its dtype, shape and
// [begin, end) byte range in the buffer, and may hold a "__metadata__" object
// of free-form strings:
//
//	{"__metadata__": {"format": "pt"},
//	 "conv1/kernel": {"dtype": "F32", "shape": [3, 3, 3, 64], "data_offsets": [0, 6912]}}
//
// # Reading
//
// ReadFile memory-maps a file (where the platform allows) and Parse parses
// bytes already in memory. Both validate the whole header up front against
// the specification — sizes, offsets, dtypes, and that the tensors tile the
// buffer exactly — so they are safe to use on untrusted files: a malformed
// file yields a *FormatError naming the file and the offending tensor, never
// a panic or an allocation the file's size does not justify. File.Float32
// returns F32 tensors as zero-copy views of the file when alignment allows and
// converts F64, F16 and BF16 tensors.
//
// # Writing
//
// Write and WriteFile produce deterministic files: sorted header keys, a
// header padded so the buffer is 8-byte aligned, and tensors laid out so each
// is aligned to its element size. Float32 values can be stored as F32 (the
// default), F16 or BF16 with round-to-nearest-even. WriteFile replaces its
// target atomically.
//
// Model weights and training checkpoints are both just named tensors plus
// string metadata: by convention architecture descriptions, optimizer
// hyper-parameters and RNG state go into the metadata (as JSON strings where
// structured) and optimizer moments become extra tensors.
package safetensors
