package safetensors

import (
	"errors"
	"fmt"
)

// FormatError reports a malformed safetensors file. Parse and ReadFile return
// it (as *FormatError) for every structural problem, so callers can tell a bad
// file from an I/O failure with errors.As.
type FormatError struct {
	File   string // the name given to Parse or the path given to ReadFile
	Tensor string // the offending tensor, or "" when no single tensor is at fault
	Msg    string // what is wrong, e.g. "negative dimension -3 in shape [2 -3]"
}

func (e *FormatError) Error() string {
	if e.Tensor == "" {
		return fmt.Sprintf("safetensors: %s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("safetensors: %s: tensor %q: %s", e.File, shortName(e.Tensor), e.Msg)
}

// shortName truncates a tensor name for an error message: names come from
// the file, and a hostile one could otherwise make a megabyte-long error.
func shortName(name string) string {
	const max = 200
	if len(name) <= max {
		return name
	}
	return fmt.Sprintf("%s...(%d bytes)", name[:max], len(name))
}

// formatErr builds a *FormatError with a printf-style message.
func formatErr(file, tensor, format string, args ...any) *FormatError {
	return &FormatError{File: file, Tensor: tensor, Msg: fmt.Sprintf(format, args...)}
}

var (
	// ErrNotFound is wrapped by the errors File methods return for a tensor
	// name the file does not contain.
	ErrNotFound = errors.New("tensor not found")

	// ErrClosed is wrapped by the errors File methods return after Close.
	ErrClosed = errors.New("file already closed")
)
