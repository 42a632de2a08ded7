package hdf5

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"io"
)

// Filter identifiers.
const (
	filterDeflate     = 1
	filterShuffle     = 2
	filterFletcher32  = 3
	filterSzip        = 4
	filterNbit        = 5
	filterScaleOffset = 6
)

// knownFilters names common filters so that errors about unsupported ones
// tell the user which plugin wrote the file.
var knownFilters = map[uint16]string{
	filterSzip: "szip", filterNbit: "nbit", filterScaleOffset: "scaleoffset",
	307: "bzip2", 32000: "lzf", 32001: "blosc", 32004: "lz4", 32008: "bitshuffle",
	32013: "zfp", 32015: "zstd", 32017: "sz", 32026: "blosc2",
}

// maxFilters mirrors the library's limit on pipeline length.
const maxFilters = 32

// filter is one entry of a filter pipeline message.
type filter struct {
	id       uint16
	optional bool
	name     string
	params   []uint32
}

// parseFilters decodes a filter pipeline message (versions 1 and 2). Unknown
// filters are accepted here and reported only when a chunk needs them.
func (f *File) parseFilters(data []byte) ([]filter, error) {
	d := newDecoder(data, f, "filter pipeline message")
	version := d.u8()
	n := int(d.u8())
	if d.err != nil {
		return nil, d.err
	}
	if version != 1 && version != 2 {
		return nil, unsupportedf("filter pipeline message version %d", version)
	}
	if n > maxFilters {
		return nil, corruptf("filter pipeline with %d filters", n)
	}
	if version == 1 {
		d.skip(6)
	}
	out := make([]filter, 0, n)
	for i := 0; i < n && d.err == nil; i++ {
		var fl filter
		fl.id = d.u16()
		nameLen := 0
		if version == 1 || fl.id >= 256 {
			nameLen = int(d.u16())
		}
		flags := d.u16()
		fl.optional = flags&1 != 0
		nvals := int(d.u16())
		if nameLen > 0 {
			start := d.pos
			name := d.bytes(nameLen)
			if i := bytes.IndexByte(name, 0); i >= 0 {
				name = name[:i]
			}
			fl.name = string(name)
			if version == 1 {
				d.alignFrom(start)
			}
		}
		if nvals > d.remaining()/4 {
			d.fail("filter with %d parameters overruns the message", nvals)
			break
		}
		for j := 0; j < nvals; j++ {
			fl.params = append(fl.params, d.u32())
		}
		if version == 1 && nvals%2 == 1 {
			d.skip(4)
		}
		out = append(out, fl)
	}
	if d.err != nil {
		return nil, d.err
	}
	return out, nil
}

// describe names a filter for error messages.
func (fl filter) describe() string {
	name := knownFilters[fl.id]
	if name == "" {
		name = fl.name
	}
	if name == "" {
		return fmt.Sprint(fl.id)
	}
	return fmt.Sprintf("%d (%s)", fl.id, name)
}

// checkFilters reports pipelines that can never be decoded up front, so the
// error appears when a dataset is read even if all its chunks are missing.
func checkFilters(pipeline []filter) error {
	for _, fl := range pipeline {
		switch fl.id {
		case filterDeflate, filterShuffle, filterFletcher32:
		default:
			if !fl.optional {
				return unsupportedf("unsupported filter %s", fl.describe())
			}
		}
	}
	return nil
}

// unfilter reverses the pipeline on one stored chunk. mask has bit i set when
// filter i was skipped for this chunk. want is the exact decoded size; every
// stage is bounded by it (plus checksum slack) to defeat decompression bombs.
func (c *chunkReader) unfilter(buf []byte, mask uint32, want int) ([]byte, error) {
	for i := len(c.filters) - 1; i >= 0; i-- {
		if mask&(1<<uint(i)) != 0 {
			continue
		}
		fl := c.filters[i]
		var err error
		switch fl.id {
		case filterDeflate:
			buf, err = c.inflate(buf, want+4*len(c.filters))
		case filterShuffle:
			size := int(c.elemSize)
			if len(fl.params) > 0 {
				size = int(fl.params[0])
			}
			buf = unshuffle(buf, size)
		case filterFletcher32:
			buf, err = checkFletcher32(buf)
		default:
			err = unsupportedf("unsupported filter %s", fl.describe())
		}
		if err != nil {
			return nil, err
		}
	}
	return buf, nil
}

// inflate decompresses a zlib stream, failing if it would exceed limit.
func (c *chunkReader) inflate(src []byte, limit int) ([]byte, error) {
	br := bytes.NewReader(src)
	var err error
	if c.zr == nil {
		c.zr, err = zlib.NewReader(br)
	} else {
		err = c.zr.(zlib.Resetter).Reset(br, nil)
	}
	if err != nil {
		c.zr = nil
		return nil, corruptf("deflate: %v", err)
	}
	// A fresh buffer per chunk (reusing one would alias the input of a
	// second deflate stage), sized by what the stream can produce rather
	// than by the chunk's declared size: n bytes of deflate decode to at
	// most about maxDeflateRatio·n, so a tiny stream declared as a huge
	// chunk costs a small buffer and an error.
	size := min(uint64(limit), satMul(uint64(len(src)), maxDeflateRatio)+deflateSlack)
	out := make([]byte, size+1)
	n, err := io.ReadFull(c.zr, out)
	switch {
	case err == nil && size < uint64(limit):
		return nil, corruptf("deflate: a %d-byte stream decompresses to more than %d bytes, beyond deflate's ratio", len(src), size)
	case err == nil:
		return nil, corruptf("deflate: chunk decompresses to more than %d bytes", limit)
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		// A stream shorter than the buffer is normal; the caller checks
		// the exact size.
	default:
		return nil, corruptf("deflate: %v", err)
	}
	return out[:n], nil
}

// deflateSlack covers a stream's fixed overhead (zlib header, checksum,
// final block), which the ratio of long streams does not include.
const deflateSlack = 1 << 10

// unshuffle reverses the byte shuffle filter: the stream holds all first
// bytes of each element, then all second bytes, etc. Trailing bytes that do
// not form a whole element were stored unshuffled.
func unshuffle(src []byte, size int) []byte {
	if size <= 1 || len(src) < size {
		return src
	}
	n := len(src) / size
	out := make([]byte, len(src))
	for b := 0; b < size; b++ {
		plane := src[b*n : (b+1)*n]
		for i, v := range plane {
			out[i*size+b] = v
		}
	}
	copy(out[n*size:], src[n*size:])
	return out
}

// checkFletcher32 verifies and strips the 4-byte checksum appended by the
// fletcher32 filter.
func checkFletcher32(src []byte) ([]byte, error) {
	if len(src) < 4 {
		return nil, corruptf("fletcher32: chunk shorter than its checksum")
	}
	data := src[:len(src)-4]
	stored := binary.LittleEndian.Uint32(src[len(src)-4:])
	sum := fletcher32(data)
	// Files from HDF5 1.6.x stored the checksum byte-swapped; the library
	// accepts both, and so do we.
	swapped := sum>>24 | (sum>>8)&0xff00 | (sum<<8)&0xff0000 | sum<<24
	if stored != sum && stored != swapped {
		return nil, corruptf("fletcher32 checksum mismatch")
	}
	return data, nil
}

// fletcher32 is HDF5's variant: 16-bit big-endian words, a trailing odd byte
// counts as the high byte of a word, sums folded every 360 words.
func fletcher32(data []byte) uint32 {
	var sum1, sum2 uint32
	n := len(data) / 2
	p := 0
	for n > 0 {
		t := n
		if t > 360 {
			t = 360
		}
		n -= t
		for ; t > 0; t-- {
			sum1 += uint32(data[p])<<8 | uint32(data[p+1])
			p += 2
			sum2 += sum1
		}
		sum1 = (sum1 & 0xffff) + (sum1 >> 16)
		sum2 = (sum2 & 0xffff) + (sum2 >> 16)
	}
	if len(data)%2 == 1 {
		sum1 += uint32(data[p]) << 8
		sum2 += sum1
		sum1 = (sum1 & 0xffff) + (sum1 >> 16)
		sum2 = (sum2 & 0xffff) + (sum2 >> 16)
	}
	sum1 = (sum1 & 0xffff) + (sum1 >> 16)
	sum2 = (sum2 & 0xffff) + (sum2 >> 16)
	return sum2<<16 | sum1
}
