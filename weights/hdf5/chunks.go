package hdf5

import "io"

// chunkRecord locates one stored chunk.
type chunkRecord struct {
	offset []uint64 // element offset of the chunk's first element, per dimension
	addr   uint64
	size   uint64 // stored (filtered) size in bytes
	mask   uint32 // bit i set: filter i was not applied
}

// chunkReader holds per-read state for decoding chunks.
type chunkReader struct {
	filters  []filter
	elemSize uint32
	zr       io.ReadCloser
}

// readChunked assembles a chunked dataset of total bytes. Missing chunks
// read as the fill value.
func (d *Dataset) readChunked(total uint64) ([]byte, error) {
	f, l := d.f, d.lay
	dims := d.space.dims
	rank := len(dims)
	if rank == 0 || len(l.chunk) != rank {
		return nil, corruptf("chunk rank %d does not match dataspace rank %d", len(l.chunk), rank)
	}
	es := uint64(f.elemSize(d.dt))
	if uint64(l.chunkElem) != es {
		return nil, corruptf("layout element size %d, datatype size %d", l.chunkElem, es)
	}
	if err := checkFilters(d.filters); err != nil {
		return nil, err
	}
	chunkBytes := es
	for _, c := range l.chunk {
		var ok bool
		if c == 0 {
			return nil, corruptf("chunk dimension 0")
		}
		if chunkBytes, ok = mulCheck(chunkBytes, c, f.allocLimit()); !ok {
			return nil, tooLargef("chunk larger than %d bytes", f.allocLimit())
		}
	}
	recs, err := d.chunkRecords(chunkBytes)
	if err != nil {
		return nil, err
	}
	if err := d.checkChunkedSize(total, chunkBytes, recs); err != nil {
		return nil, err
	}
	out := d.filled(total)
	cr := &chunkReader{filters: d.filters, elemSize: uint32(es)}
	defer func() {
		if cr.zr != nil {
			cr.zr.Close()
		}
	}()
	// grid[i] is the number of chunks along dimension i; a chunk's linear
	// grid position detects duplicates, which a valid index never has.
	grid := make([]uint64, rank)
	for i := range grid {
		grid[i] = (dims[i] + l.chunk[i] - 1) / l.chunk[i]
	}
	seen := map[uint64]bool{}
	// Budgets against records that share storage: in a valid file stored
	// chunks never overlap, so all chunks together occupy at most the file
	// and decode to at most decodeLimit bytes. Without these, thousands of
	// records pointing at one small deflate bomb would multiply the work.
	stored, decoded := f.size, f.decodeLimit()
	for _, r := range recs {
		lin, inside, err := chunkPosition(r.offset, dims, l.chunk, grid)
		if err != nil {
			return nil, err
		}
		if !inside {
			continue // beyond the current extent (dataset was shrunk)
		}
		if seen[lin] {
			return nil, corruptf("chunk at %v indexed twice", r.offset)
		}
		seen[lin] = true
		if r.addr == undefAddr {
			continue
		}
		if r.size > stored || chunkBytes > decoded {
			return nil, corruptf("chunks overlap: more chunk data than the file can hold")
		}
		stored -= r.size
		decoded -= chunkBytes
		raw, err := f.readAt(r.addr, r.size)
		if err != nil {
			return nil, corruptf("chunk at %v: %v", r.offset, err)
		}
		data, err := cr.unfilter(raw, r.mask, int(chunkBytes))
		if err != nil {
			return nil, err
		}
		if uint64(len(data)) != chunkBytes {
			return nil, corruptf("chunk at %v decodes to %d bytes, want %d", r.offset, len(data), chunkBytes)
		}
		copyChunk(out, dims, data, l.chunk, r.offset, int(es))
	}
	return out, nil
}

// checkChunkedSize refuses, before the output is allocated, a dataset of
// total bytes that its stored chunks cannot account for: each stored chunk
// yields at most its declared size and, unless deflated, no more than it
// stores (deflate: maxDeflateRatio times); everything else is the fill of
// never-written chunks, bytes no part of the file holds, which may not
// exceed verbatimLimit. A legitimate file that is mostly unwritten chunks
// (rare; h5py writes every chunk it is given data for) can be read by
// raising the limit with WithMaxRead.
func (d *Dataset) checkChunkedSize(total, chunkBytes uint64, recs []chunkRecord) error {
	deflate := -1
	for i, fl := range d.filters {
		if fl.id == filterDeflate {
			deflate = i
		}
	}
	var fromChunks uint64
	for _, r := range recs {
		if r.addr == undefAddr {
			continue
		}
		n := r.size
		if deflate >= 0 && r.mask&(1<<uint(deflate)) == 0 {
			n = satMul(n, maxDeflateRatio) + deflateSlack
		}
		fromChunks = min(fromChunks+min(n, chunkBytes), undefAddr/2)
	}
	if total <= fromChunks {
		return nil
	}
	if fill := total - fromChunks; fill > d.f.verbatimLimit() {
		return tooLargef("%d bytes declared, but the stored chunks hold at most %d; the other %d bytes would be fill value, more than the %d-byte limit for data the file does not store", total, fromChunks, fill, d.f.verbatimLimit())
	}
	return nil
}

// chunkPosition validates a chunk offset and returns its linear position in
// the chunk grid, or inside=false if it lies beyond the dataset extent.
func chunkPosition(off, dims, chunk, grid []uint64) (uint64, bool, error) {
	if len(off) != len(dims) {
		return 0, false, corruptf("chunk offset rank %d, want %d", len(off), len(dims))
	}
	var lin uint64
	for i := range off {
		if off[i]%chunk[i] != 0 {
			return 0, false, corruptf("chunk offset %v not aligned to chunk shape %v", off, chunk)
		}
		if off[i] >= dims[i] {
			return 0, false, nil
		}
		lin = lin*grid[i] + off[i]/chunk[i]
	}
	return lin, true, nil
}

// copyChunk copies the part of a decoded chunk that lies inside the dataset
// into out (row-major, dims), clipping partial edge chunks. Callers
// guarantee off[i] < dims[i] and len(src) == prod(chunk)*es.
func copyChunk(out []byte, dims []uint64, src []byte, chunk, off []uint64, es int) {
	rank := len(dims)
	ext := make([]uint64, rank) // extent of the chunk inside the dataset
	for i := range dims {
		ext[i] = min(chunk[i], dims[i]-off[i])
	}
	// Row-major strides in elements.
	dstride := make([]uint64, rank)
	cstride := make([]uint64, rank)
	dstride[rank-1], cstride[rank-1] = 1, 1
	for i := rank - 2; i >= 0; i-- {
		dstride[i] = dstride[i+1] * dims[i+1]
		cstride[i] = cstride[i+1] * chunk[i+1]
	}
	row := int(ext[rank-1]) * es
	idx := make([]uint64, rank) // position within the chunk; last dim fixed at 0
	for {
		var s, t uint64
		for i := 0; i < rank; i++ {
			s += idx[i] * cstride[i]
			t += (off[i] + idx[i]) * dstride[i]
		}
		copy(out[int(t)*es:int(t)*es+row], src[int(s)*es:int(s)*es+row])
		// Advance the multi-index over all but the last dimension.
		i := rank - 2
		for ; i >= 0; i-- {
			idx[i]++
			if idx[i] < ext[i] {
				break
			}
			idx[i] = 0
		}
		if i < 0 {
			return
		}
	}
}
