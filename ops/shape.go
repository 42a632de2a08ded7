package ops

import (
	"strconv"
	"strings"
)

// Shape is a list of dimensions. Layer shapes in a Graph leave out the batch
// dimension, as Keras's (None, ...) does; tensor shapes include it.
type Shape []int

// Len is the number of elements a tensor of this shape holds (1 for rank 0).
func (s Shape) Len() int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

// Equal reports whether s and t have the same dimensions.
func (s Shape) Equal(t Shape) bool {
	if len(s) != len(t) {
		return false
	}
	for i := range s {
		if s[i] != t[i] {
			return false
		}
	}
	return true
}

// Clone returns a copy of s that does not share its backing array.
func (s Shape) Clone() Shape { return append(Shape(nil), s...) }

// String formats s as a tuple, e.g. "(32, 32, 64)".
func (s Shape) String() string { return s.tuple("") }

// Keras formats a per-sample shape with a leading batch of None, as Keras's
// summary prints output shapes: "(None, 32, 32, 64)".
func (s Shape) Keras() string { return s.tuple("None") }

func (s Shape) tuple(lead string) string {
	var b strings.Builder
	b.WriteByte('(')
	parts := 0
	if lead != "" {
		b.WriteString(lead)
		parts++
	}
	for _, d := range s {
		if parts > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Itoa(d))
		parts++
	}
	if parts == 1 {
		b.WriteByte(',') // a Python 1-tuple
	}
	b.WriteByte(')')
	return b.String()
}
