package hdf5

// signature is the 8-byte HDF5 format signature.
const signature = "\x89HDF\r\n\x1a\n"

// superblock holds the fields of the file superblock this reader needs.
type superblock struct {
	version  int
	offSize  int    // bytes per file address
	lenSize  int    // bytes per length field
	base     uint64 // absolute offset that all addresses are relative to
	eof      uint64 // end-of-file address (absolute)
	rootAddr uint64 // object header address of the root group
}

// readSuperblock locates and decodes the superblock. The signature may sit
// at 0, 512, 1024, 2048, ... because a user block can precede it.
func (f *File) readSuperblock() (*superblock, error) {
	for off := uint64(0); off+8 <= f.size; {
		sig := make([]byte, 8)
		if err := f.readFull(sig, off); err != nil {
			return nil, err
		}
		if string(sig) == signature {
			return f.parseSuperblock(off)
		}
		if off == 0 {
			off = 512
		} else {
			off *= 2
		}
	}
	return nil, corruptf("not an HDF5 file (format signature not found)")
}

func validSize(n int) bool { return n == 2 || n == 4 || n == 8 }

func (f *File) parseSuperblock(off uint64) (*superblock, error) {
	// 8 signature + up to 8 fixed bytes + 4 addresses/entry of at most 8
	// bytes each + root symbol table entry: 256 bytes always suffice.
	raw, err := f.readUpTo(off, 256)
	if err != nil {
		return nil, err
	}
	d := newDecoder(raw, nil, "superblock")
	d.skip(8)
	sb := &superblock{version: int(d.u8())}
	switch sb.version {
	case 0, 1:
		d.skip(3) // free-space, root symbol table entry and reserved versions
		d.skip(1) // shared header message format version
		sb.offSize, sb.lenSize = int(d.u8()), int(d.u8())
		d.skip(1)
		if d.err == nil && (!validSize(sb.offSize) || !validSize(sb.lenSize)) {
			return nil, unsupportedf("superblock: size of offsets %d / lengths %d", sb.offSize, sb.lenSize)
		}
		d.offSize, d.lenSize = sb.offSize, sb.lenSize
		d.skip(4) // group leaf / internal node K
		d.skip(4) // file consistency flags
		if sb.version == 1 {
			d.skip(4) // indexed storage internal node K + reserved
		}
		sb.base = d.addr()
		d.addr() // free-space info address (unused by a reader)
		sb.eof = d.addr()
		d.addr() // driver information block
		// Root group symbol table entry: only the object header address
		// matters; the cached B-tree/heap addresses are re-read from the
		// header's symbol table message, which is authoritative.
		d.addr() // link name offset
		sb.rootAddr = d.addr()
	case 2, 3:
		sb.offSize, sb.lenSize = int(d.u8()), int(d.u8())
		if d.err == nil && (!validSize(sb.offSize) || !validSize(sb.lenSize)) {
			return nil, unsupportedf("superblock: size of offsets %d / lengths %d", sb.offSize, sb.lenSize)
		}
		d.offSize, d.lenSize = sb.offSize, sb.lenSize
		d.skip(1) // file consistency flags
		sb.base = d.addr()
		d.addr() // superblock extension: holds only creation properties
		sb.eof = d.addr()
		sb.rootAddr = d.addr()
		d.skip(4) // checksum; not verified, every field is bounds-checked anyway
	default:
		return nil, unsupportedf("superblock version %d", sb.version)
	}
	if d.err != nil {
		return nil, d.err
	}
	if sb.base == undefAddr || sb.base > f.size {
		return nil, corruptf("superblock: base address %d outside the file", sb.base)
	}
	if sb.rootAddr == undefAddr {
		return nil, corruptf("superblock: undefined root group address")
	}
	return sb, nil
}
