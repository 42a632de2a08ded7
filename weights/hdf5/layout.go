package hdf5

// Layout classes.
const (
	layoutCompact    = 0
	layoutContiguous = 1
	layoutChunked    = 2
	layoutVirtual    = 3
)

// Chunk index types of data layout message version 4.
const (
	indexBTree1     = 0 // implied by layout versions 1-3
	indexSingle     = 1
	indexImplicit   = 2
	indexFixedArray = 3
	indexExtArray   = 4
	indexBTree2     = 5
)

var indexNames = map[int]string{indexExtArray: "extensible array", indexBTree2: "version 2 B-tree"}

// layout is a decoded data layout message.
type layout struct {
	class   int
	addr    uint64 // data (contiguous) or chunk index address
	size    uint64 // contiguous storage size
	compact []byte // compact raw data

	// Chunked storage.
	chunk      []uint64 // chunk dimensions, excluding the element-size dimension
	chunkElem  uint32   // element size recorded in the layout
	index      int      // chunk index type
	filtered   bool     // version 4 single chunk: the chunk is filtered
	singleSize uint64   // filtered size of a single chunk
	singleMask uint32   // filter mask of a single chunk
}

// parseLayout decodes a data layout message (versions 1 to 4).
func (f *File) parseLayout(data []byte) (*layout, error) {
	d := newDecoder(data, f, "data layout message")
	version := d.u8()
	l := &layout{}
	switch version {
	case 1, 2:
		ndims := int(d.u8())
		l.class = int(d.u8())
		d.skip(5)
		if l.class != layoutCompact {
			l.addr = d.addr()
		}
		dims := make([]uint64, 0, 8)
		for i := 0; i < ndims && d.err == nil; i++ {
			dims = append(dims, uint64(d.u32()))
		}
		switch l.class {
		case layoutChunked:
			if ndims < 2 {
				return nil, corruptf("data layout message: chunked with %d dimensions", ndims)
			}
			l.chunk = dims[:ndims-1]
			l.chunkElem = uint32(dims[ndims-1])
		case layoutCompact:
			n := int(d.u32())
			l.compact = d.bytes(n)
		case layoutContiguous:
			l.size = undefAddr // derived from the dataspace
		}
	case 3, 4:
		l.class = int(d.u8())
		switch l.class {
		case layoutCompact:
			n := int(d.u16())
			l.compact = d.bytes(n)
		case layoutContiguous:
			l.addr = d.addr()
			l.size = d.length()
		case layoutChunked:
			if version == 3 {
				f.parseChunkedV3(d, l)
			} else {
				f.parseChunkedV4(d, l)
			}
		case layoutVirtual:
			if d.err == nil {
				return nil, unsupportedf("virtual dataset layout")
			}
		default:
			if d.err == nil {
				return nil, corruptf("data layout message: unknown layout class %d", l.class)
			}
		}
	default:
		if d.err == nil {
			return nil, unsupportedf("data layout message version %d", version)
		}
	}
	if d.err != nil {
		return nil, d.err
	}
	if l.class != layoutCompact && l.class != layoutContiguous && l.class != layoutChunked {
		return nil, corruptf("data layout message: unknown layout class %d", l.class)
	}
	return l, nil
}

// parseChunkedV3: dimensionality, B-tree address, then the chunk dimensions
// whose last entry is the element size.
func (f *File) parseChunkedV3(d *decoder, l *layout) {
	ndims := int(d.u8())
	l.addr = d.addr()
	if d.err == nil && (ndims < 2 || ndims > maxRank+1) {
		d.fail("chunked with %d dimensions", ndims)
		return
	}
	for i := 0; i < ndims-1; i++ {
		l.chunk = append(l.chunk, uint64(d.u32()))
	}
	l.chunkElem = d.u32()
	l.index = indexBTree1
}

// parseChunkedV4: flags, dimensionality, width of dimension fields, the
// dimensions (last one is the element size), index type and its parameters,
// then the index address.
func (f *File) parseChunkedV4(d *decoder, l *layout) {
	flags := d.u8()
	ndims := int(d.u8())
	width := int(d.u8())
	if d.err == nil && (ndims < 2 || ndims > maxRank+1) {
		d.fail("chunked with %d dimensions", ndims)
		return
	}
	if d.err == nil && (width < 1 || width > 8) {
		d.fail("dimension field width %d", width)
		return
	}
	for i := 0; i < ndims-1; i++ {
		l.chunk = append(l.chunk, d.uintN(width))
	}
	elem := d.uintN(width)
	if elem > 1<<32-1 {
		d.fail("element size %d", elem)
	}
	l.chunkElem = uint32(elem)
	l.index = int(d.u8())
	switch l.index {
	case indexSingle:
		if flags&0x02 != 0 {
			l.filtered = true
			l.singleSize = d.length()
			l.singleMask = d.u32()
		}
	case indexImplicit:
	case indexFixedArray:
		d.skip(1) // page bits, repeated in the fixed array header
	case indexExtArray:
		d.skip(5)
	case indexBTree2:
		d.skip(6)
	default:
		if d.err == nil {
			d.fail("unknown chunk index type %d", l.index)
		}
		return
	}
	l.addr = d.addr()
}
