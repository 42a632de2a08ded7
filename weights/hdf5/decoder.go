package hdf5

import (
	"encoding/binary"
	"math"
)

// undefAddr is HDF5's "undefined address" (all bits set), widened to 64 bits
// whatever the file's size of offsets.
const undefAddr = ^uint64(0)

// decoder reads little-endian fields from an in-memory structure with
// bounds checking. Errors are sticky: after the first failure every read
// returns zero and the first error is kept, so parsers can decode a whole
// structure and check err once, and can never index out of range.
type decoder struct {
	buf     []byte
	pos     int
	offSize int // size of file addresses ("offsets"), from the superblock
	lenSize int // size of lengths, from the superblock
	what    string
	err     error
}

func newDecoder(b []byte, f *File, what string) *decoder {
	d := &decoder{buf: b, what: what, offSize: 8, lenSize: 8}
	if f != nil && f.sb != nil {
		d.offSize, d.lenSize = f.sb.offSize, f.sb.lenSize
	}
	return d
}

// sub returns a decoder over the next n bytes (and skips them here), sharing
// size settings; used for nested structures with a declared length.
func (d *decoder) sub(n int, what string) *decoder {
	b := d.bytes(n)
	s := &decoder{buf: b, offSize: d.offSize, lenSize: d.lenSize, what: what}
	if d.err != nil {
		s.err = d.err
	}
	return s
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = corruptf(d.what+": "+format, args...)
	}
}

// setErr records an already-classified error (e.g. unsupported feature).
func (d *decoder) setErr(err error) {
	if d.err == nil {
		d.err = err
	}
}

func (d *decoder) need(n int) bool {
	if d.err != nil {
		return false
	}
	if n < 0 || n > len(d.buf)-d.pos {
		d.fail("truncated (need %d bytes at offset %d of %d)", n, d.pos, len(d.buf))
		return false
	}
	return true
}

func (d *decoder) remaining() int {
	if d.err != nil {
		return 0
	}
	return len(d.buf) - d.pos
}

func (d *decoder) u8() uint8 {
	if !d.need(1) {
		return 0
	}
	v := d.buf[d.pos]
	d.pos++
	return v
}

func (d *decoder) u16() uint16 {
	if !d.need(2) {
		return 0
	}
	v := binary.LittleEndian.Uint16(d.buf[d.pos:])
	d.pos += 2
	return v
}

func (d *decoder) u32() uint32 {
	if !d.need(4) {
		return 0
	}
	v := binary.LittleEndian.Uint32(d.buf[d.pos:])
	d.pos += 4
	return v
}

func (d *decoder) u64() uint64 {
	if !d.need(8) {
		return 0
	}
	v := binary.LittleEndian.Uint64(d.buf[d.pos:])
	d.pos += 8
	return v
}

// uintN reads an n-byte little-endian unsigned integer (1 <= n <= 8).
func (d *decoder) uintN(n int) uint64 {
	if n < 1 || n > 8 {
		d.fail("invalid integer width %d", n)
		return 0
	}
	if !d.need(n) {
		return 0
	}
	var v uint64
	for i := n - 1; i >= 0; i-- {
		v = v<<8 | uint64(d.buf[d.pos+i])
	}
	d.pos += n
	return v
}

// addr reads a file address; the all-ones pattern of any width maps to
// undefAddr so callers need a single comparison.
func (d *decoder) addr() uint64 {
	v := d.uintN(d.offSize)
	if d.offSize < 8 && v == (uint64(1)<<(8*d.offSize))-1 {
		return undefAddr
	}
	return v
}

// length reads a "size of lengths" field.
func (d *decoder) length() uint64 { return d.uintN(d.lenSize) }

func (d *decoder) bytes(n int) []byte {
	if !d.need(n) {
		return nil
	}
	b := d.buf[d.pos : d.pos+n : d.pos+n]
	d.pos += n
	return b
}

func (d *decoder) skip(n int) {
	if d.need(n) {
		d.pos += n
	}
}

// alignFrom skips padding so that pos-start becomes a multiple of 8, as used
// by version 1 attribute messages and symbol table structures. Missing
// padding at the very end of a buffer is tolerated.
func (d *decoder) alignFrom(start int) {
	if d.err != nil {
		return
	}
	n := (8 - (d.pos-start)%8) % 8
	if n > len(d.buf)-d.pos {
		n = len(d.buf) - d.pos
	}
	d.pos += n
}

// signature checks a 4-byte magic value.
func (d *decoder) signature(sig string) bool {
	b := d.bytes(len(sig))
	if d.err != nil {
		return false
	}
	if string(b) != sig {
		d.fail("bad signature %q, want %q", b, sig)
		return false
	}
	return true
}

// toInt converts a size read from the file to int, failing (instead of
// wrapping) when it cannot be represented or exceeds limit.
func toInt(v uint64, limit int) (int, bool) {
	if v > uint64(math.MaxInt) || int(v) > limit {
		return 0, false
	}
	return int(v), true
}

// mulCheck multiplies with overflow detection against max.
func mulCheck(a, b, max uint64) (uint64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	if a > max/b {
		return 0, false
	}
	return a * b, true
}
