package hdf5

// globalHeap is a parsed global heap collection ("GCOL"), which stores the
// bytes of variable-length data such as vlen strings.
type globalHeap struct {
	objects map[uint16][]byte
}

// globalHeapObject returns object index of the collection at addr. Parsed
// collections are cached; the cache may hold at most the file size in bytes,
// which legitimate (non-overlapping) collections never exceed.
func (f *File) globalHeapObject(addr uint64, index uint32) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	h, ok := f.gheaps[addr]
	if !ok {
		var err error
		if h, err = f.readGlobalHeap(addr); err != nil {
			return nil, err
		}
		f.gheaps[addr] = h
	}
	if index > 0xffff {
		return nil, corruptf("global heap object index %d out of range", index)
	}
	obj, ok := h.objects[uint16(index)]
	if !ok {
		return nil, corruptf("global heap collection %d has no object %d", addr, index)
	}
	return obj, nil
}

// readGlobalHeap parses a collection: "GCOL", version 1, 3 reserved bytes,
// collection size (including this header), then objects each made of an
// index, reference count, 4 reserved bytes, size and data padded to 8 bytes.
// Index 0 marks the free space at the end.
func (f *File) readGlobalHeap(addr uint64) (*globalHeap, error) {
	hdrLen := uint64(8 + f.sb.lenSize)
	raw, err := f.readAt(addr, hdrLen)
	if err != nil {
		return nil, corruptf("global heap: %v", err)
	}
	d := newDecoder(raw, f, "global heap")
	d.signature("GCOL")
	if v := d.u8(); v != 1 && d.err == nil {
		return nil, unsupportedf("global heap version %d", v)
	}
	d.skip(3)
	size := d.length()
	if d.err != nil {
		return nil, d.err
	}
	if size < hdrLen || size > f.size {
		return nil, corruptf("global heap collection size %d", size)
	}
	if f.gheapBytes+size > f.size {
		return nil, corruptf("global heap collections overlap (more bytes than the file)")
	}
	body, err := f.readAt(addr+hdrLen, size-hdrLen)
	if err != nil {
		return nil, corruptf("global heap: %v", err)
	}
	f.gheapBytes += size
	h := &globalHeap{objects: map[uint16][]byte{}}
	bd := newDecoder(body, f, "global heap object")
	for bd.remaining() >= 8+f.sb.lenSize {
		idx := bd.u16()
		bd.skip(6) // reference count and reserved
		n := bd.length()
		if idx == 0 {
			break
		}
		ln, ok := toInt(n, bd.remaining())
		if !ok {
			return nil, corruptf("global heap object %d of %d bytes overruns its collection", idx, n)
		}
		h.objects[idx] = bd.bytes(ln)
		pad := (8 - ln%8) % 8
		if pad > bd.remaining() {
			pad = bd.remaining()
		}
		bd.skip(pad)
	}
	return h, bd.err
}
