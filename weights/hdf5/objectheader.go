package hdf5

// Object header message types used by this reader (HDF5 spec section IV.A.2).
const (
	msgNil           = 0x00
	msgDataspace     = 0x01
	msgLinkInfo      = 0x02
	msgDatatype      = 0x03
	msgFillValueOld  = 0x04
	msgFillValue     = 0x05
	msgLink          = 0x06
	msgExternalFiles = 0x07
	msgLayout        = 0x08
	msgGroupInfo     = 0x0A
	msgFilters       = 0x0B
	msgAttribute     = 0x0C
	msgContinuation  = 0x10
	msgSymbolTable   = 0x11
	msgAttributeInfo = 0x15
)

// Message flag bits.
const (
	msgFlagShared = 0x02 // message body is a reference to a shared message
)

// Limits that stop hostile files from making header parsing unbounded. Real
// headers have a handful of blocks and at most a few thousand messages.
const (
	maxHeaderBlocks   = 1 << 12
	maxHeaderMessages = 1 << 16
)

// message is one decoded header message; data aliases the block buffer.
type message struct {
	typ   uint16
	flags uint8
	data  []byte
}

// objectHeader is the list of messages of one object, gathered from the
// header's first block and all continuation blocks.
type objectHeader struct {
	addr    uint64
	version int
	flags   uint8 // version 2 header flags
	blocks  int   // number of header blocks read (1 + continuations)
	msgs    []message
}

// find returns the first message of the given type.
func (oh *objectHeader) find(typ uint16) (message, bool) {
	for _, m := range oh.msgs {
		if m.typ == typ {
			return m, true
		}
	}
	return message{}, false
}

func (oh *objectHeader) has(typ uint16) bool {
	_, ok := oh.find(typ)
	return ok
}

// headerBlock is a pending continuation block.
type headerBlock struct{ addr, size uint64 }

// readObjectHeader parses the object header at addr (version 1 or 2) and
// follows continuation messages. Cycles are stopped by a visited set and the
// total bytes read are capped at the file size (legitimate blocks never
// overlap), so the work is linear in the file size.
func (f *File) readObjectHeader(addr uint64) (*objectHeader, error) {
	prefix, err := f.readUpTo(addr, 4)
	if err != nil {
		return nil, corruptf("object header at %d: %v", addr, err)
	}
	oh := &objectHeader{addr: addr}
	var first headerBlock
	if string(prefix) == "OHDR" {
		oh.version = 2
		first, err = f.ohdrPrefix(oh)
	} else {
		oh.version = 1
		first, err = f.v1Prefix(addr)
	}
	if err != nil {
		return nil, err
	}
	visited := map[uint64]bool{addr: true}
	queue := []headerBlock{first}
	var total uint64
	for i := 0; i < len(queue); i++ {
		if i >= maxHeaderBlocks {
			return nil, corruptf("object header at %d: more than %d continuation blocks", addr, maxHeaderBlocks)
		}
		b := queue[i]
		oh.blocks++
		total += b.size
		if total > f.size {
			return nil, corruptf("object header at %d: continuation blocks larger than the file", addr)
		}
		buf, err := f.readAt(b.addr, b.size)
		if err != nil {
			return nil, corruptf("object header at %d: %v", addr, err)
		}
		var conts []headerBlock
		if oh.version == 1 {
			conts, err = f.parseV1Messages(oh, buf)
		} else {
			conts, err = f.parseV2Messages(oh, buf, i > 0)
		}
		if err != nil {
			return nil, corruptf("object header at %d: %v", addr, err)
		}
		for _, c := range conts {
			if visited[c.addr] {
				return nil, corruptf("object header at %d: continuation cycle at %d", addr, c.addr)
			}
			visited[c.addr] = true
			queue = append(queue, c)
		}
	}
	return oh, nil
}

// v1Prefix decodes the 16-byte version 1 prefix: version, reserved, message
// count, reference count, header size and 4 bytes of alignment padding.
func (f *File) v1Prefix(addr uint64) (headerBlock, error) {
	raw, err := f.readAt(addr, 16)
	if err != nil {
		return headerBlock{}, corruptf("object header at %d: %v", addr, err)
	}
	d := newDecoder(raw, f, "object header")
	if v := d.u8(); v != 1 {
		return headerBlock{}, corruptf("object header at %d: unknown version %d", addr, v)
	}
	d.skip(1 + 2 + 4)
	size := uint64(d.u32())
	return headerBlock{addr + 16, size}, nil
}

// ohdrPrefix decodes the variable-length version 2 prefix ("OHDR") and
// records the header flags in oh.
func (f *File) ohdrPrefix(oh *objectHeader) (headerBlock, error) {
	addr := oh.addr
	raw, err := f.readUpTo(addr, 4+1+1+16+4+8)
	if err != nil {
		return headerBlock{}, corruptf("object header at %d: %v", addr, err)
	}
	d := newDecoder(raw, f, "object header")
	d.skip(4)
	if v := d.u8(); v != 2 && d.err == nil {
		return headerBlock{}, corruptf("object header at %d: unknown OHDR version %d", addr, v)
	}
	flags := d.u8()
	oh.flags = flags
	if flags&0x20 != 0 {
		d.skip(16) // access, modification, change and birth times
	}
	if flags&0x10 != 0 {
		d.skip(4) // attribute storage phase change values
	}
	size := d.uintN(1 << (flags & 3))
	if d.err != nil {
		return headerBlock{}, corruptf("object header at %d: %v", addr, d.err)
	}
	// The block handed to the message parser is the whole first chunk,
	// prefix included, so it can be treated like a continuation block:
	// messages start after the prefix and a 4-byte checksum follows them.
	start := uint64(d.pos)
	if size > f.size {
		return headerBlock{}, corruptf("object header at %d: chunk size %d larger than the file", addr, size)
	}
	return headerBlock{addr, start + size + 4}, nil
}

// parseV1Messages decodes the messages of one version 1 block and returns
// the continuation blocks it references.
func (f *File) parseV1Messages(oh *objectHeader, buf []byte) ([]headerBlock, error) {
	d := newDecoder(buf, f, "header message")
	var conts []headerBlock
	for d.remaining() >= 8 {
		typ := d.u16()
		size := int(d.u16())
		flags := d.u8()
		d.skip(3)
		data := d.bytes(size)
		if d.err != nil {
			return nil, d.err
		}
		if c, ok, err := f.addMessage(oh, typ, flags, data); err != nil {
			return nil, err
		} else if ok {
			conts = append(conts, c)
		}
	}
	return conts, nil
}

// parseV2Messages decodes one version 2 block. The first block starts with
// the OHDR prefix, continuation blocks with "OCHK"; both end in a checksum.
func (f *File) parseV2Messages(oh *objectHeader, buf []byte, continuation bool) ([]headerBlock, error) {
	d := newDecoder(buf, f, "header message")
	var flags uint8
	if continuation {
		if !d.signature("OCHK") {
			return nil, d.err
		}
		flags = oh.flags
	} else {
		d.skip(5)
		flags = d.u8()
		if flags&0x20 != 0 {
			d.skip(16)
		}
		if flags&0x10 != 0 {
			d.skip(4)
		}
		d.skip(1 << (flags & 3))
	}
	hdrLen := 4
	if flags&0x04 != 0 {
		hdrLen = 6 // creation order field present
	}
	end := len(buf) - 4 // checksum
	var conts []headerBlock
	for d.err == nil && end-d.pos >= hdrLen {
		typ := uint16(d.u8())
		size := int(d.u16())
		mflags := d.u8()
		if hdrLen == 6 {
			d.skip(2)
		}
		if size > end-d.pos {
			return nil, corruptf("header message of %d bytes overruns its block", size)
		}
		data := d.bytes(size)
		if c, ok, err := f.addMessage(oh, typ, mflags, data); err != nil {
			return nil, err
		} else if ok {
			conts = append(conts, c)
		}
	}
	return conts, d.err
}

// addMessage appends a message, or decodes it as a continuation pointer.
func (f *File) addMessage(oh *objectHeader, typ uint16, flags uint8, data []byte) (headerBlock, bool, error) {
	if len(oh.msgs) >= maxHeaderMessages {
		return headerBlock{}, false, corruptf("more than %d header messages", maxHeaderMessages)
	}
	switch typ {
	case msgNil:
		return headerBlock{}, false, nil
	case msgContinuation:
		d := newDecoder(data, f, "continuation message")
		c := headerBlock{addr: d.addr(), size: d.length()}
		if d.err != nil {
			return headerBlock{}, false, d.err
		}
		if c.addr == undefAddr || c.size > f.size {
			return headerBlock{}, false, corruptf("continuation block %d+%d outside the file", c.addr, c.size)
		}
		return c, true, nil
	}
	oh.msgs = append(oh.msgs, message{typ: typ, flags: flags, data: data})
	return headerBlock{}, false, nil
}
