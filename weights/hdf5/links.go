package hdf5

// Link and link info messages describe "new style" groups (HDF5 1.8+).
// Small groups store one link message per member in the object header
// (compact storage); large ones keep them in a fractal heap indexed by a
// version 2 B-tree (dense storage), which this reader does not implement.

// parseLink decodes a link message.
func (f *File) parseLink(data []byte) (link, error) {
	d := newDecoder(data, f, "link message")
	if v := d.u8(); v != 1 && d.err == nil {
		return link{}, unsupportedf("link message version %d", v)
	}
	flags := d.u8()
	var l link
	if flags&0x08 != 0 {
		l.kind = int(d.u8())
	}
	if flags&0x04 != 0 {
		d.skip(8) // creation order
	}
	if flags&0x10 != 0 {
		d.skip(1) // character set of the name
	}
	n := d.uintN(1 << (flags & 3))
	nameLen, ok := toInt(n, d.remaining())
	if !ok {
		d.fail("name length %d overruns the message", n)
	}
	l.name = string(d.bytes(nameLen))
	switch l.kind {
	case linkHard:
		l.addr = d.addr()
	case linkSoft:
		l.target = string(d.bytes(int(d.u16())))
	case linkExternal:
		d.bytes(int(d.u16()))
	default:
		// User-defined link types: kept so Members lists them; following
		// them fails with ErrUnsupported.
	}
	if d.err != nil {
		return link{}, d.err
	}
	if l.name == "" {
		return link{}, corruptf("link message with empty name")
	}
	return l, nil
}

// linkInfoDense reports whether a link info (or attribute info) message
// points at dense storage: a defined fractal heap address.
func (f *File) linkInfoDense(data []byte, what string) (bool, error) {
	d := newDecoder(data, f, what)
	if v := d.u8(); v != 0 && d.err == nil {
		return false, unsupportedf("%s version %d", what, v)
	}
	flags := d.u8()
	if flags&0x01 != 0 {
		if what == "link info message" {
			d.skip(8) // maximum creation index
		} else {
			d.skip(2)
		}
	}
	heap := d.addr()
	if d.err != nil {
		return false, d.err
	}
	return heap != undefAddr, nil
}
