// Package npy reads and writes NumPy's .npy files: one array, C order.
//
// A file is the magic "\x93NUMPY", a version (1.0, 2.0 or 3.0), a header
// length (2 bytes little-endian in 1.0, 4 bytes in 2.0 and 3.0), a header
// that is a Python dict literal
//
//	{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
//
// padded with spaces to a multiple of 64 bytes and ended by '\n', and then
// the elements.
//
// Read accepts the element types '<f4' and '<f8' and, converted to
// float32, '<i8', '<i4', '<i2', '|i1', '|u1', '<u2' and '|b1' (a '<' may
// also be '|' or '=' where the byte order is moot or native on a
// little-endian machine). Arrays in Fortran order, big-endian data, and
// object or structured types are refused with an error saying so. Write
// writes '<f4' or '<f8' in the layout numpy.save does.
//
// Files are not trusted: the header's length, the shape and the element
// count are checked against each other and against the bytes present
// before anything is allocated for the data, so a file can make Read
// allocate no more than a small multiple of its own size. Every error
// names the file.
package npy

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
)

// Limits on what a file may declare.
const (
	// MaxHeaderBytes bounds the header (numpy itself refuses headers over
	// 10000 bytes unless told otherwise).
	MaxHeaderBytes = 1 << 16
	// MaxDims bounds the rank.
	MaxDims = 32
	// MaxElements bounds the element count: 2^31 − 1, 8 GiB of float32.
	MaxElements = math.MaxInt32
)

var magic = []byte("\x93NUMPY")

// Array is an array read from or written to a .npy file.
type Array struct {
	Shape []int     // C order; empty for a scalar
	Data  []float32 // len(Data) is the product of Shape
	// Dtype is the element type the file stored ('<f4', '<i8', ...);
	// Read converts every type to float32.
	Dtype string
}

// Error is what Read and ReadFile return for a file they cannot read.
type Error struct {
	File string
	Msg  string
	Err  error // the underlying I/O error, if any
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.File, e.Msg, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

func (e *Error) Unwrap() error { return e.Err }

// dtype is an element type Read understands.
type dtype struct {
	size   int
	decode func(b []byte) float32
}

func le16(b []byte) uint16 { return binary.LittleEndian.Uint16(b) }
func le32(b []byte) uint32 { return binary.LittleEndian.Uint32(b) }
func le64(b []byte) uint64 { return binary.LittleEndian.Uint64(b) }

// dtypes are keyed by kind and size, after the byte-order character.
var dtypes = map[string]dtype{
	"f4": {4, func(b []byte) float32 { return math.Float32frombits(le32(b)) }},
	"f8": {8, func(b []byte) float32 { return float32(math.Float64frombits(le64(b))) }},
	"i8": {8, func(b []byte) float32 { return float32(int64(le64(b))) }},
	"i4": {4, func(b []byte) float32 { return float32(int32(le32(b))) }},
	"i2": {2, func(b []byte) float32 { return float32(int16(le16(b))) }},
	"i1": {1, func(b []byte) float32 { return float32(int8(b[0])) }},
	"u1": {1, func(b []byte) float32 { return float32(b[0]) }},
	"u2": {2, func(b []byte) float32 { return float32(le16(b)) }},
	"b1": {1, func(b []byte) float32 {
		if b[0] != 0 {
			return 1
		}
		return 0
	}},
}

// parseDescr checks a descr string and returns its element type.
func parseDescr(descr string) (dtype, error) {
	if len(descr) != 3 {
		return dtype{}, fmt.Errorf("element type %q is not supported (want '<f4', '<f8', '<i8', '<i4', '<i2', '|i1', '|u1', '<u2' or '|b1')", descr)
	}
	order, kind := descr[0], descr[1:]
	dt, ok := dtypes[kind]
	if !ok || !strings.ContainsRune("<=|>", rune(order)) {
		return dtype{}, fmt.Errorf("element type %q is not supported (want '<f4', '<f8', '<i8', '<i4', '<i2', '|i1', '|u1', '<u2' or '|b1')", descr)
	}
	switch {
	case dt.size == 1: // byte order is moot
	case order == '>':
		return dtype{}, fmt.Errorf("element type %q is big-endian; save it little-endian, e.g. a.astype('<%s')", descr, kind)
	case order == '|':
		return dtype{}, fmt.Errorf("element type %q has no byte order, but its elements are %d bytes", descr, dt.size)
	}
	return dt, nil
}

// header is the parsed header dict.
type header struct {
	descr   string
	fortran bool
	shape   []int
}

// ReadFile reads a .npy file.
func ReadFile(path string) (*Array, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &Error{File: path, Msg: "cannot open", Err: err}
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, &Error{File: path, Msg: "cannot stat", Err: err}
	}
	if !st.Mode().IsRegular() {
		return nil, &Error{File: path, Msg: "not a regular file"}
	}
	a, err := read(path, bufio.NewReaderSize(f, 1<<16), st.Size())
	return a, err
}

// Decode reads a .npy file held in memory; name appears in errors.
func Decode(name string, data []byte) (*Array, error) {
	return read(name, bytes.NewReader(data), int64(len(data)))
}

// Read reads one array from r, which may hold more after it (numpy.save
// called repeatedly on one file); name appears in errors. The data is read
// in pieces, so a header that promises more than r holds costs no more
// memory than r's real content.
func Read(name string, r io.Reader) (*Array, error) {
	return read(name, r, -1)
}

// read reads an array from r; size is r's length when known (then the
// data must fill it exactly), −1 otherwise.
func read(name string, r io.Reader, size int64) (*Array, error) {
	fail := func(format string, args ...any) error { return &Error{File: name, Msg: fmt.Sprintf(format, args...)} }
	var pre [10]byte
	if _, err := io.ReadFull(r, pre[:8]); err != nil {
		return nil, fail("not a .npy file: too short for its magic and version (%d bytes)", max(size, 0))
	}
	if string(pre[:6]) != string(magic) {
		return nil, fail("not a .npy file: it does not start with \\x93NUMPY")
	}
	major, minor := pre[6], pre[7]
	var hlen int64
	var prefix int64
	switch major {
	case 1:
		if _, err := io.ReadFull(r, pre[8:10]); err != nil {
			return nil, fail("truncated before the header length")
		}
		hlen, prefix = int64(le16(pre[8:10])), 10
	case 2, 3:
		var b [4]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, fail("truncated before the header length")
		}
		hlen, prefix = int64(le32(b[:])), 12
	default:
		return nil, fail("format version %d.%d is not supported (want 1.0, 2.0 or 3.0)", major, minor)
	}
	if minor != 0 {
		return nil, fail("format version %d.%d is not supported (want 1.0, 2.0 or 3.0)", major, minor)
	}
	if hlen > MaxHeaderBytes {
		return nil, fail("header length %d is over the limit of %d bytes", hlen, MaxHeaderBytes)
	}
	if size >= 0 && prefix+hlen > size {
		return nil, fail("header length %d runs past the end of the file (%d bytes)", hlen, size)
	}
	hbuf := make([]byte, hlen)
	if _, err := io.ReadFull(r, hbuf); err != nil {
		return nil, fail("truncated inside the %d-byte header", hlen)
	}
	if major < 3 {
		for _, c := range hbuf {
			if c >= 0x80 {
				return nil, fail("header of a version %d.0 file is not ASCII (only version 3.0 headers are UTF-8)", major)
			}
		}
	}
	h, err := parseHeader(string(hbuf))
	if err != nil {
		return nil, fail("header %q: %v", truncate(string(hbuf), 120), err)
	}
	if h.fortran {
		return nil, fail("array is in Fortran order (fortran_order: True); save it in C order, e.g. np.save(path, np.ascontiguousarray(a))")
	}
	dt, err := parseDescr(h.descr)
	if err != nil {
		return nil, fail("%v", err)
	}
	n := 1
	for _, d := range h.shape {
		if d < 0 {
			return nil, fail("shape %v has a negative dimension", h.shape)
		}
		if d != 0 && n > MaxElements/d {
			return nil, fail("shape %v has more than %d elements", h.shape, MaxElements)
		}
		n *= d
	}
	for _, d := range h.shape {
		if d == 0 {
			n = 0
		}
	}
	nbytes := int64(n) * int64(dt.size)
	if size >= 0 {
		if have := size - prefix - hlen; have != nbytes {
			return nil, fail("shape %v of %s needs %d bytes of data, the file holds %d", h.shape, h.descr, nbytes, have)
		}
	}
	a := &Array{Shape: h.shape, Dtype: h.descr}
	if size >= 0 {
		a.Data = make([]float32, n)
	} else {
		a.Data = make([]float32, 0, min(n, 1<<18))
	}
	// Decode in chunks: the allocation of an unsized reader follows what
	// it really holds.
	const chunk = 1 << 16
	buf := make([]byte, min(int64(chunk*dt.size), max(nbytes, 1)))
	for done := 0; done < n; {
		k := min(n-done, len(buf)/dt.size)
		b := buf[:k*dt.size]
		if _, err := io.ReadFull(r, b); err != nil {
			return nil, &Error{File: name, Msg: fmt.Sprintf("data truncated: shape %v needs %d elements, found fewer than %d", h.shape, n, done+k), Err: err}
		}
		if size >= 0 {
			out := a.Data[done : done+k]
			for i := range out {
				out[i] = dt.decode(b[i*dt.size:])
			}
		} else {
			for i := range k {
				a.Data = append(a.Data, dt.decode(b[i*dt.size:]))
			}
		}
		done += k
	}
	return a, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// parseHeader parses the header dict: exactly the keys descr, fortran_order
// and shape, with a string, a bool and a tuple of non-negative integers.
func parseHeader(s string) (header, error) {
	p := &parser{s: strings.TrimRight(s, " \t\n\x00")}
	var h header
	seen := map[string]bool{}
	p.space()
	if !p.eat('{') {
		return h, errors.New("not a dict: no '{'")
	}
	for {
		p.space()
		if p.eat('}') {
			break
		}
		key, err := p.str()
		if err != nil {
			return h, fmt.Errorf("key: %v", err)
		}
		p.space()
		if !p.eat(':') {
			return h, fmt.Errorf("no ':' after key %q", key)
		}
		p.space()
		if seen[key] {
			return h, fmt.Errorf("key %q given twice", key)
		}
		seen[key] = true
		switch key {
		case "descr":
			if h.descr, err = p.str(); err != nil {
				return h, fmt.Errorf("descr: %v (structured types are not supported)", err)
			}
		case "fortran_order":
			if h.fortran, err = p.boolean(); err != nil {
				return h, fmt.Errorf("fortran_order: %v", err)
			}
		case "shape":
			if h.shape, err = p.tuple(); err != nil {
				return h, fmt.Errorf("shape: %v", err)
			}
		default:
			return h, fmt.Errorf("unexpected key %q (want descr, fortran_order, shape)", key)
		}
		p.space()
		if p.eat(',') {
			continue
		}
		p.space()
		if !p.eat('}') {
			return h, fmt.Errorf("want ',' or '}' after %q's value at byte %d", key, p.i)
		}
		break
	}
	p.space()
	if p.i != len(p.s) {
		return h, fmt.Errorf("trailing text after the dict at byte %d", p.i)
	}
	for _, k := range []string{"descr", "fortran_order", "shape"} {
		if !seen[k] {
			return h, fmt.Errorf("key %q missing", k)
		}
	}
	return h, nil
}

type parser struct {
	s string
	i int
}

func (p *parser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n' || p.s[p.i] == '\r') {
		p.i++
	}
}

func (p *parser) eat(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

// str reads a quoted string without escapes (none of the header's strings
// need them).
func (p *parser) str() (string, error) {
	if p.i >= len(p.s) || (p.s[p.i] != '\'' && p.s[p.i] != '"') {
		return "", fmt.Errorf("want a quoted string at byte %d", p.i)
	}
	q := p.s[p.i]
	end := strings.IndexByte(p.s[p.i+1:], q)
	if end < 0 {
		return "", errors.New("unterminated string")
	}
	v := p.s[p.i+1 : p.i+1+end]
	if strings.ContainsRune(v, '\\') {
		return "", fmt.Errorf("escaped string %q", v)
	}
	p.i += end + 2
	return v, nil
}

func (p *parser) boolean() (bool, error) {
	for _, w := range []struct {
		s string
		v bool
	}{{"True", true}, {"False", false}} {
		if strings.HasPrefix(p.s[p.i:], w.s) {
			p.i += len(w.s)
			return w.v, nil
		}
	}
	return false, fmt.Errorf("want True or False at byte %d", p.i)
}

// tuple reads "(d0, d1, ...)", "(d0,)" or "()".
func (p *parser) tuple() ([]int, error) {
	if !p.eat('(') {
		return nil, fmt.Errorf("want '(' at byte %d", p.i)
	}
	shape := []int{}
	for {
		p.space()
		if p.eat(')') {
			return shape, nil
		}
		if len(shape) == MaxDims {
			return nil, fmt.Errorf("more than %d dimensions", MaxDims)
		}
		start := p.i
		for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			p.i++
		}
		// numpy on some platforms wrote Python 2 longs: "3L".
		digits := p.s[start:p.i]
		if p.i < len(p.s) && p.s[p.i] == 'L' {
			p.i++
		}
		if digits == "" {
			return nil, fmt.Errorf("want a non-negative integer at byte %d", start)
		}
		d, err := strconv.ParseInt(digits, 10, 64)
		if err != nil || d > MaxElements {
			return nil, fmt.Errorf("dimension %s is over the limit of %d elements", truncate(digits, 30), MaxElements)
		}
		shape = append(shape, int(d))
		p.space()
		if p.eat(',') {
			continue
		}
		p.space()
		if !p.eat(')') {
			return nil, fmt.Errorf("want ',' or ')' at byte %d", p.i)
		}
		if len(shape) == 1 {
			// "(3)" is the integer 3 in Python, not a tuple.
			return nil, errors.New("a one-element tuple needs a trailing comma, (n,)")
		}
		return shape, nil
	}
}
