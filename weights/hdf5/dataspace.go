package hdf5

// maxRank is HDF5's limit on the number of dimensions.
const maxRank = 32

// maxElements caps the element count of any dataspace. It is far above any
// real dataset yet keeps products of counts and element sizes (at most
// 2^32) from overflowing 64-bit arithmetic.
const maxElements = 1 << 48

// dataspace is a decoded dataspace message. A scalar has no dims and one
// element; a null dataspace has no elements.
type dataspace struct {
	null    bool
	dims    []uint64
	maxDims []uint64 // nil when not stored; undefAddr entries mean unlimited
}

// numElements returns the number of elements (1 for a scalar).
func (s *dataspace) numElements() uint64 {
	if s.null {
		return 0
	}
	n := uint64(1)
	for _, d := range s.dims {
		n *= d // cannot overflow: checked at decode time
	}
	return n
}

// shape returns the dimensions as ints (empty for scalars and null spaces).
func (s *dataspace) shape() []int {
	out := make([]int, len(s.dims))
	for i, d := range s.dims {
		out[i] = int(d) // bounded by maxElements at decode time
	}
	return out
}

// parseDataspace decodes a dataspace message (versions 1 and 2).
func (f *File) parseDataspace(data []byte) (*dataspace, error) {
	d := newDecoder(data, f, "dataspace message")
	version := d.u8()
	rank := int(d.u8())
	flags := d.u8()
	s := &dataspace{}
	switch version {
	case 1:
		d.skip(5) // reserved
	case 2:
		switch typ := d.u8(); typ {
		case 0: // scalar
			rank = 0
		case 1: // simple
		case 2:
			s.null = true
			rank = 0
		default:
			if d.err == nil {
				return nil, corruptf("dataspace message: unknown type %d", typ)
			}
		}
	default:
		if d.err == nil {
			return nil, unsupportedf("dataspace message version %d", version)
		}
	}
	if rank > maxRank {
		return nil, corruptf("dataspace message: rank %d exceeds %d", rank, maxRank)
	}
	total := uint64(1)
	for i := 0; i < rank; i++ {
		v := d.length()
		var ok bool
		if total, ok = mulCheck(total, v, maxElements); !ok || v > maxElements {
			return nil, tooLargef("dataspace has more than 2^48 elements")
		}
		s.dims = append(s.dims, v)
	}
	if flags&1 != 0 {
		for i := 0; i < rank; i++ {
			v := d.length()
			if d.lenSize < 8 && v == (uint64(1)<<(8*d.lenSize))-1 {
				v = undefAddr // unlimited
			}
			s.maxDims = append(s.maxDims, v)
		}
	}
	// Flag bit 1 (permutation index) was never implemented by the library.
	if d.err != nil {
		return nil, d.err
	}
	return s, nil
}
