package hdf5

// maxShareDepth bounds chains of shared messages (a committed datatype whose
// own message is shared again), which would otherwise allow cycles.
const maxShareDepth = 4

// messageData returns the body of m. Shared messages (message flag bit 1)
// hold a reference instead of a body; references to another object header
// (committed datatypes) are followed, references into the shared-message
// heap are reported as unsupported.
func (f *File) messageData(m message, depth int) ([]byte, error) {
	if m.flags&msgFlagShared == 0 {
		return m.data, nil
	}
	if depth >= maxShareDepth {
		return nil, corruptf("shared message chain too long")
	}
	d := newDecoder(m.data, f, "shared message")
	version := d.u8()
	typ := d.u8()
	var addr uint64
	switch version {
	case 1:
		d.skip(6)
		addr = d.addr()
	case 2:
		addr = d.addr()
	case 3:
		if typ != 2 {
			if d.err == nil {
				return nil, unsupportedf("message type %d stored in the shared object header message heap", m.typ)
			}
		}
		addr = d.addr()
	default:
		if d.err == nil {
			return nil, unsupportedf("shared message version %d", version)
		}
	}
	if d.err != nil {
		return nil, d.err
	}
	oh, err := f.readObjectHeader(addr)
	if err != nil {
		return nil, err
	}
	target, ok := oh.find(m.typ)
	if !ok {
		return nil, corruptf("shared message target at %d lacks message type %d", addr, m.typ)
	}
	return f.messageData(target, depth+1)
}

// headerDatatype decodes the (possibly shared) datatype message of oh.
func (f *File) headerDatatype(oh *objectHeader) (*datatype, error) {
	m, ok := oh.find(msgDatatype)
	if !ok {
		return nil, corruptf("missing datatype message")
	}
	data, err := f.messageData(m, 0)
	if err != nil {
		return nil, err
	}
	return f.parseDatatype(data)
}
