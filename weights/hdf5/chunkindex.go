package hdf5

// chunkRecords lists the stored chunks of d using whichever chunk index its
// layout declares. Every index structure lives in the file, so the number of
// records is bounded by the file size.
func (d *Dataset) chunkRecords(chunkBytes uint64) ([]chunkRecord, error) {
	l := d.lay
	if l.addr == undefAddr {
		return nil, nil // no chunk ever written
	}
	switch l.index {
	case indexBTree1:
		return d.btreeChunks()
	case indexSingle:
		r := chunkRecord{offset: make([]uint64, len(l.chunk)), addr: l.addr, size: chunkBytes}
		if l.filtered {
			r.size, r.mask = l.singleSize, l.singleMask
		}
		return []chunkRecord{r}, nil
	case indexImplicit:
		return d.implicitChunks(chunkBytes)
	case indexFixedArray:
		return d.fixedArrayChunks(chunkBytes)
	}
	name := indexNames[l.index]
	if name == "" {
		return nil, corruptf("unknown chunk index type %d", l.index)
	}
	return nil, unsupportedf("%s chunk index (dataset with unlimited dimensions written with libver='latest')", name)
}

// btreeChunks walks a version 1 B-tree of type 1. Keys hold the chunk's
// stored size, filter mask and element offsets (one per dimension plus a
// trailing zero for the element-size dimension).
func (d *Dataset) btreeChunks() ([]chunkRecord, error) {
	f := d.f
	rank := len(d.lay.chunk)
	keySize := 8 + 8*(rank+1)
	var recs []chunkRecord
	err := f.walkBTreeV1(d.lay.addr, btreeChunk, keySize, func(key []byte, child uint64) error {
		k := newDecoder(key, f, "chunk key")
		r := chunkRecord{size: uint64(k.u32()), mask: k.u32(), addr: child}
		r.offset = make([]uint64, rank)
		for i := range r.offset {
			r.offset[i] = k.u64()
		}
		recs = append(recs, r)
		return k.err
	})
	return recs, err
}

// chunkGrid returns the number of chunks per dimension used by the version 4
// indexes, which address chunks by their linear position in a grid sized
// from the maximum dimensions.
func (d *Dataset) chunkGrid() ([]uint64, uint64, error) {
	dims, chunk := d.space.dims, d.lay.chunk
	grid := make([]uint64, len(dims))
	total := uint64(1)
	for i := range dims {
		n := dims[i]
		if d.space.maxDims != nil && d.space.maxDims[i] != undefAddr && d.space.maxDims[i] > n {
			n = d.space.maxDims[i]
		}
		grid[i] = (n + chunk[i] - 1) / chunk[i]
		var ok bool
		if total, ok = mulCheck(total, grid[i], d.f.size+1); !ok {
			return nil, 0, corruptf("chunk grid larger than the file can index")
		}
	}
	return grid, total, nil
}

// gridOffset converts a linear grid position into element offsets.
func gridOffset(lin uint64, grid, chunk []uint64) []uint64 {
	off := make([]uint64, len(grid))
	for i := len(grid) - 1; i >= 0; i-- {
		off[i] = (lin % grid[i]) * chunk[i]
		lin /= grid[i]
	}
	return off
}

// implicitChunks: unfiltered chunks stored back to back in grid order.
func (d *Dataset) implicitChunks(chunkBytes uint64) ([]chunkRecord, error) {
	grid, n, err := d.chunkGrid()
	if err != nil {
		return nil, err
	}
	if _, ok := mulCheck(n, chunkBytes, d.f.size); !ok {
		return nil, corruptf("implicit chunk index larger than the file")
	}
	recs := make([]chunkRecord, n)
	for i := range recs {
		recs[i] = chunkRecord{offset: gridOffset(uint64(i), grid, d.lay.chunk),
			addr: d.lay.addr + uint64(i)*chunkBytes, size: chunkBytes}
	}
	return recs, nil
}

// fixedArrayChunks reads a fixed array index: a header ("FAHD") pointing at a
// data block ("FADB") holding one entry per chunk in grid order. Entries are
// an address, plus stored size and filter mask for filtered datasets.
func (d *Dataset) fixedArrayChunks(chunkBytes uint64) ([]chunkRecord, error) {
	f := d.f
	hdrLen := uint64(8 + f.sb.lenSize + f.sb.offSize + 4)
	raw, err := f.readAt(d.lay.addr, hdrLen)
	if err != nil {
		return nil, corruptf("fixed array header: %v", err)
	}
	h := newDecoder(raw, f, "fixed array header")
	h.signature("FAHD")
	h.skip(1) // version
	client := h.u8()
	entSize := int(h.u8())
	pageBits := h.u8()
	n := h.length()
	dblk := h.addr()
	if h.err != nil {
		return nil, h.err
	}
	filtered := client == 1
	sizeLen := entSize - f.sb.offSize - 4
	switch {
	case client > 1:
		return nil, corruptf("fixed array client %d", client)
	case !filtered && entSize != f.sb.offSize:
		return nil, corruptf("fixed array entry size %d", entSize)
	case filtered && (sizeLen < 1 || sizeLen > 8):
		return nil, corruptf("fixed array entry size %d", entSize)
	}
	grid, want, err := d.chunkGrid()
	if err != nil {
		return nil, err
	}
	if n != want {
		return nil, corruptf("fixed array has %d entries for %d chunks", n, want)
	}
	if pageBits < 64 && n > uint64(1)<<pageBits {
		return nil, unsupportedf("paged fixed array chunk index (%d chunks)", n)
	}
	prefix := uint64(4 + 1 + 1 + f.sb.offSize)
	body, err := f.readAt(dblk, prefix+n*uint64(entSize))
	if err != nil {
		return nil, corruptf("fixed array data block: %v", err)
	}
	b := newDecoder(body, f, "fixed array data block")
	b.signature("FADB")
	b.skip(int(prefix) - 4)
	recs := make([]chunkRecord, 0, n)
	for i := uint64(0); i < n && b.err == nil; i++ {
		r := chunkRecord{offset: gridOffset(i, grid, d.lay.chunk), addr: b.addr(), size: chunkBytes}
		if filtered {
			r.size = b.uintN(sizeLen)
			r.mask = b.u32()
		}
		recs = append(recs, r)
	}
	return recs, b.err
}
