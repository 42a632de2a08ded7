package hdf5

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error returned by this package is an *Error whose
// chain contains exactly one of these, so callers can branch with errors.Is
// without parsing messages.
var (
	// ErrNotFound reports a missing group member or attribute.
	ErrNotFound = errors.New("hdf5: not found")
	// ErrUnsupported reports a valid HDF5 feature this reader does not
	// implement (a filter, an index type, dense link storage, ...).
	ErrUnsupported = errors.New("hdf5: unsupported feature")
	// ErrCorrupt reports a structure that is inconsistent, truncated or
	// points outside the file.
	ErrCorrupt = errors.New("hdf5: corrupt or truncated file")
	// ErrType reports a read whose destination type cannot represent the
	// stored data (for example ReadUint8 on a float dataset).
	ErrType = errors.New("hdf5: incompatible data type")
	// ErrTooLarge reports data whose declared size exceeds what the file can
	// justify; it protects callers from allocation bombs in hostile files.
	ErrTooLarge = errors.New("hdf5: data too large")
)

// Error is the concrete type of every error returned by the exported API.
// It names the file and, when relevant, the object being accessed, e.g.
//
//	hdf5: train_signs.h5: dataset "/train_set_x": unsupported filter 32001 (blosc)
type Error struct {
	File   string // file name as given to Open (base name) or NewReader
	Object string // e.g. `dataset "/x"` or `attribute "a" of group "/"`; empty for file-level errors
	Err    error  // underlying cause; wraps one of the sentinel errors when possible
}

func (e *Error) Error() string {
	if e.Object == "" {
		return "hdf5: " + e.File + ": " + e.Err.Error()
	}
	return "hdf5: " + e.File + ": " + e.Object + ": " + e.Err.Error()
}

// Unwrap exposes the cause so errors.Is(err, ErrUnsupported) works.
func (e *Error) Unwrap() error { return e.Err }

// formatError is the internal error: a readable message that still matches a
// sentinel via errors.Is, without repeating the sentinel's text.
type formatError struct {
	kind error
	msg  string
}

func (e *formatError) Error() string { return e.msg }
func (e *formatError) Unwrap() error { return e.kind }

func corruptf(format string, args ...any) error {
	return &formatError{ErrCorrupt, fmt.Sprintf(format, args...)}
}

func unsupportedf(format string, args ...any) error {
	return &formatError{ErrUnsupported, fmt.Sprintf(format, args...)}
}

func notFoundf(format string, args ...any) error {
	return &formatError{ErrNotFound, fmt.Sprintf(format, args...)}
}

func typeErrorf(format string, args ...any) error {
	return &formatError{ErrType, fmt.Sprintf(format, args...)}
}

func tooLargef(format string, args ...any) error {
	return &formatError{ErrTooLarge, fmt.Sprintf(format, args...)}
}

// wrap attaches the file name and object description to err. Errors that are
// already *Error are returned unchanged so the innermost (most precise)
// object name wins.
func (f *File) wrap(object string, err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return &Error{File: f.name, Object: object, Err: err}
}
