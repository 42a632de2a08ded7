package hdf5

import "bytes"

// vlenRefSize is the on-disk size of one variable-length element: a 4-byte
// length followed by a global heap ID (collection address + object index).
func (f *File) vlenRefSize() int { return 4 + f.sb.offSize + 4 }

// elemSize returns the stored size of one element of t.
func (f *File) elemSize(t *datatype) int {
	if t.dtype.VarLen {
		return f.vlenRefSize()
	}
	return int(t.size)
}

// decodeStrings converts n stored string elements to Go strings.
func (f *File) decodeStrings(raw []byte, t *datatype, n int) ([]string, error) {
	if t.dtype.Kind != String {
		return nil, typeErrorf("cannot read %s as strings", t.describe())
	}
	es := f.elemSize(t)
	if es <= 0 || len(raw)/es < n {
		return nil, corruptf("string data shorter than its dataspace")
	}
	out := make([]string, n)
	if !t.dtype.VarLen {
		for i := range out {
			out[i] = trimFixed(raw[i*es:(i+1)*es], t.pad)
		}
		return out, nil
	}
	// Variable-length: every string lives in a global heap collection, in
	// the file as it is: h5py stores each element's string in an object of
	// its own, so the strings cannot add up to more than the file holds. A
	// hostile file repeating one reference to a large object (a deflated
	// chunk of references can hold millions) is refused at that bound.
	budget := f.verbatimLimit()
	for i := range out {
		d := newDecoder(raw[i*es:(i+1)*es], f, "variable-length string")
		length := uint64(d.u32())
		addr := d.addr()
		index := d.u32()
		if d.err != nil {
			return nil, d.err
		}
		if length == 0 {
			continue
		}
		if length > budget {
			return nil, tooLargef("variable-length strings exceed %d bytes, more than the file holds (strings shared between elements?)", f.verbatimLimit())
		}
		budget -= length
		obj, err := f.globalHeapObject(addr, index)
		if err != nil {
			return nil, err
		}
		if uint64(len(obj)) < length {
			return nil, corruptf("variable-length string of %d bytes in a %d-byte heap object", length, len(obj))
		}
		out[i] = string(obj[:length])
	}
	return out, nil
}

// trimFixed applies the padding convention of a fixed-length string.
func trimFixed(b []byte, pad int) string {
	switch pad {
	case padNullTerm:
		if i := bytes.IndexByte(b, 0); i >= 0 {
			b = b[:i]
		}
	case padSpacePad:
		b = bytes.TrimRight(b, " ")
	default: // null padded, as numpy "S" strings are
		b = bytes.TrimRight(b, "\x00")
	}
	return string(b)
}

// describe names a datatype in error messages.
func (t *datatype) describe() string {
	if t.dtype.Kind == Other {
		return t.why
	}
	return t.dtype.String()
}
