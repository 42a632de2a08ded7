package hdf5

// parseFillValue extracts the fill value bytes from a fill value message
// (new style 0x05, versions 1-3, or old style 0x04). It returns nil when no
// fill value is defined, which means zero bytes.
func (f *File) parseFillValue(m message) ([]byte, error) {
	data, err := f.messageData(m, 0)
	if err != nil {
		return nil, err
	}
	d := newDecoder(data, f, "fill value message")
	if m.typ == msgFillValueOld {
		n := int(d.u32())
		v := d.bytes(n)
		return v, d.err
	}
	version := d.u8()
	var defined bool
	switch version {
	case 1, 2:
		d.skip(2) // space allocation time, fill value write time
		defined = d.u8() != 0
		// Version 1 always stores the size field; version 2 only when a
		// value is defined.
		if version == 2 && !defined {
			return nil, d.err
		}
	case 3:
		flags := d.u8()
		defined = flags&0x20 != 0
		if !defined {
			return nil, d.err
		}
	default:
		if d.err != nil {
			return nil, d.err
		}
		return nil, unsupportedf("fill value message version %d", version)
	}
	n := int(d.u32())
	v := d.bytes(n)
	if d.err != nil {
		return nil, d.err
	}
	if !defined || n == 0 {
		return nil, nil
	}
	return v, nil
}
