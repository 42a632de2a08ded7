package hdf5

import (
	"bytes"
	"fmt"
)

// Attribute is a small named value attached to a group or dataset. Its data
// is stored inside the owner's object header and is decoded on demand, so an
// attribute of an unsupported type only fails when its values are read.
type Attribute struct {
	f     *File
	name  string
	owner string // owner description for error messages
	dt    *datatype
	space *dataspace
	data  []byte
}

// parseAttribute decodes the name of an attribute message and, if full is set,
// its datatype, dataspace and data. Versions 1-3 are supported.
func (f *File) parseAttribute(m message, owner string, full bool) (*Attribute, error) {
	d := newDecoder(m.data, f, "attribute message")
	version := d.u8()
	flags := d.u8() // reserved in version 1
	nameSize := int(d.u16())
	dtSize := int(d.u16())
	dsSize := int(d.u16())
	if d.err != nil {
		return nil, d.err
	}
	if version < 1 || version > 3 {
		return nil, unsupportedf("attribute message version %d", version)
	}
	if version == 3 {
		d.skip(1) // name character set
	}
	// Version 1 pads each of the three parts to a multiple of 8 bytes.
	part := func(n int) []byte {
		start := d.pos
		b := d.bytes(n)
		if version == 1 {
			d.alignFrom(start)
		}
		return b
	}
	nameBytes := part(nameSize)
	if i := bytes.IndexByte(nameBytes, 0); i >= 0 {
		nameBytes = nameBytes[:i]
	}
	a := &Attribute{f: f, name: string(nameBytes), owner: owner}
	dtBytes := part(dtSize)
	dsBytes := part(dsSize)
	if d.err != nil {
		return nil, d.err
	}
	if !full {
		return a, nil
	}
	var err error
	dtMsg := message{typ: msgDatatype, data: dtBytes}
	dsMsg := message{typ: msgDataspace, data: dsBytes}
	if version >= 2 && flags&0x01 != 0 {
		dtMsg.flags = msgFlagShared
	}
	if version >= 2 && flags&0x02 != 0 {
		dsMsg.flags = msgFlagShared
	}
	if dtBytes, err = f.messageData(dtMsg, 0); err != nil {
		return nil, err
	}
	if a.dt, err = f.parseDatatype(dtBytes); err != nil {
		return nil, err
	}
	if dsBytes, err = f.messageData(dsMsg, 0); err != nil {
		return nil, err
	}
	if a.space, err = f.parseDataspace(dsBytes); err != nil {
		return nil, err
	}
	es := uint64(f.elemSize(a.dt))
	need, ok := mulCheck(a.space.numElements(), es, uint64(d.remaining()))
	if !ok || es == 0 && a.space.numElements() > 0 {
		return nil, corruptf("attribute data shorter than its dataspace")
	}
	a.data = d.bytes(int(need))
	return a, d.err
}

// attrNames lists the attribute names of an object header.
func attrNames(f *File, oh *objectHeader, owner string) ([]string, error) {
	var names []string
	for _, m := range oh.msgs {
		switch m.typ {
		case msgAttribute:
			a, err := f.parseAttribute(m, owner, false)
			if err != nil {
				return nil, f.wrap(owner, err)
			}
			names = append(names, a.name)
		case msgAttributeInfo:
			if err := denseAttrs(f, m); err != nil {
				return nil, f.wrap(owner, err)
			}
		}
	}
	return names, nil
}

// denseAttrs reports attribute storage in a fractal heap as unsupported.
func denseAttrs(f *File, m message) error {
	dense, err := f.linkInfoDense(m.data, "attribute info message")
	if err != nil {
		return err
	}
	if dense {
		return unsupportedf("dense attribute storage (fractal heap); the object has too many or too large attributes")
	}
	return nil
}

// findAttr returns the attribute called name.
func findAttr(f *File, oh *objectHeader, owner, name string) (*Attribute, error) {
	desc := fmt.Sprintf("attribute %q of %s", name, owner)
	var denseErr error
	for _, m := range oh.msgs {
		switch m.typ {
		case msgAttribute:
			a, err := f.parseAttribute(m, owner, false)
			if err != nil {
				return nil, f.wrap(desc, err)
			}
			if a.name != name {
				continue
			}
			a, err = f.parseAttribute(m, owner, true)
			return a, f.wrap(desc, err)
		case msgAttributeInfo:
			denseErr = denseAttrs(f, m)
		}
	}
	if denseErr != nil {
		return nil, f.wrap(desc, denseErr)
	}
	return nil, f.wrap(desc, notFoundf("not found"))
}

func (a *Attribute) desc() string { return fmt.Sprintf("attribute %q of %s", a.name, a.owner) }

// Name returns the attribute name.
func (a *Attribute) Name() string { return a.name }

// Shape returns the dimensions; empty for a scalar attribute.
func (a *Attribute) Shape() []int { return a.space.shape() }

// Len returns the number of elements (1 for a scalar).
func (a *Attribute) Len() int { return int(a.space.numElements()) }

// Dtype returns the stored element type.
func (a *Attribute) Dtype() Dtype { return a.dt.dtype }

// Strings returns the values of a fixed- or variable-length string
// attribute (one element for a scalar). An attribute with no elements yields
// an empty slice whatever its type: h5py stores an empty Python list (Keras'
// weight_names of a layer without weights) as a float64 array of shape (0,).
func (a *Attribute) Strings() ([]string, error) {
	if a.Len() == 0 {
		return []string{}, nil
	}
	if a.dt.dtype.Kind != String {
		return nil, a.f.wrap(a.desc(), typeErrorf("cannot read %s as strings", a.dt.describe()))
	}
	out, err := a.f.decodeStrings(a.data, a.dt, a.Len())
	return out, a.f.wrap(a.desc(), err)
}

// Int64s returns the values of an integer attribute (empty if it has no
// elements, whatever its type).
func (a *Attribute) Int64s() ([]int64, error) {
	if a.Len() == 0 {
		return []int64{}, nil
	}
	if err := a.dt.supported(); err != nil {
		return nil, a.f.wrap(a.desc(), err)
	}
	out, err := toInt64s(a.data, a.dt.dtype, a.Len())
	return out, a.f.wrap(a.desc(), err)
}

// Float64s returns the values of a numeric attribute converted to float64
// (empty if it has no elements, whatever its type).
func (a *Attribute) Float64s() ([]float64, error) {
	if a.Len() == 0 {
		return []float64{}, nil
	}
	if err := a.dt.supported(); err != nil {
		return nil, a.f.wrap(a.desc(), err)
	}
	out, err := toFloat64s(a.data, a.dt.dtype, a.Len())
	return out, a.f.wrap(a.desc(), err)
}
