package hdf5

import (
	"bytes"
	"fmt"
)

// Dataset is an HDF5 dataset: an n-dimensional array of one datatype.
// Reading always loads the whole array.
type Dataset struct {
	f       *File
	path    string
	oh      *objectHeader
	space   *dataspace
	dt      *datatype
	lay     *layout
	filters []filter
	fill    []byte
	// readErr holds problems that only matter when the data is read
	// (unsupported layout, external storage, ...), so Shape, Dtype and
	// attributes stay available.
	readErr error
}

func (f *File) newDataset(path string, oh *objectHeader) (*Dataset, error) {
	if t := classify(oh); t != ObjectDataset {
		return nil, typeErrorf("object is a %s, not a dataset", t)
	}
	d := &Dataset{f: f, path: path, oh: oh}
	m, ok := oh.find(msgDataspace)
	if !ok {
		return nil, corruptf("missing dataspace message")
	}
	data, err := f.messageData(m, 0)
	if err != nil {
		return nil, err
	}
	if d.space, err = f.parseDataspace(data); err != nil {
		return nil, err
	}
	if d.dt, err = f.headerDatatype(oh); err != nil {
		return nil, err
	}
	if f.elemSize(d.dt) <= 0 {
		return nil, corruptf("datatype with element size 0")
	}
	d.readErr = d.parseStorage()
	return d, nil
}

// parseStorage decodes the messages needed to read the data.
func (d *Dataset) parseStorage() error {
	f, oh := d.f, d.oh
	m, _ := oh.find(msgLayout)
	data, err := f.messageData(m, 0)
	if err != nil {
		return err
	}
	if d.lay, err = f.parseLayout(data); err != nil {
		return err
	}
	if oh.has(msgExternalFiles) {
		return unsupportedf("external data files")
	}
	if m, ok := oh.find(msgFilters); ok {
		if data, err = f.messageData(m, 0); err != nil {
			return err
		}
		if d.filters, err = f.parseFilters(data); err != nil {
			return err
		}
	}
	m, ok := oh.find(msgFillValue)
	if !ok {
		m, ok = oh.find(msgFillValueOld)
	}
	if ok {
		fill, err := f.parseFillValue(m)
		if err != nil {
			return err
		}
		// A fill value of another size (or for vlen data) cannot be
		// replicated element-wise; zeros are the library default anyway.
		if len(fill) == f.elemSize(d.dt) && !d.dt.dtype.VarLen && len(bytes.Trim(fill, "\x00")) > 0 {
			d.fill = fill
		}
	}
	return nil
}

// Name returns the dataset's absolute path as used to open it.
func (d *Dataset) Name() string { return d.path }

func (d *Dataset) desc() string { return fmt.Sprintf("dataset %q", d.path) }

// Shape returns the dimensions; empty for a scalar dataset.
func (d *Dataset) Shape() []int { return d.space.shape() }

// Len returns the number of elements (1 for a scalar, 0 for an empty dataset).
func (d *Dataset) Len() int { return int(d.space.numElements()) }

// Dtype returns the stored element type.
func (d *Dataset) Dtype() Dtype { return d.dt.dtype }

// Attrs lists the names of the dataset's attributes.
func (d *Dataset) Attrs() ([]string, error) { return attrNames(d.f, d.oh, d.desc()) }

// Attr returns the named attribute of the dataset.
func (d *Dataset) Attr(name string) (*Attribute, error) { return findAttr(d.f, d.oh, d.desc(), name) }

// ReadFloat32 reads the whole dataset converted to float32 (from any integer
// or float type), in row-major order.
func (d *Dataset) ReadFloat32() ([]float32, error) {
	raw, err := d.readNumeric()
	if err != nil {
		return nil, err
	}
	out, err := toFloat32s(raw, d.dt.dtype, d.Len())
	return out, d.f.wrap(d.desc(), err)
}

// ReadFloat64 reads the whole dataset converted to float64.
func (d *Dataset) ReadFloat64() ([]float64, error) {
	raw, err := d.readNumeric()
	if err != nil {
		return nil, err
	}
	out, err := toFloat64s(raw, d.dt.dtype, d.Len())
	return out, d.f.wrap(d.desc(), err)
}

// ReadInt64 reads an integer dataset as int64. Float data is rejected rather
// than truncated; uint64 values above MaxInt64 are an error.
func (d *Dataset) ReadInt64() ([]int64, error) {
	if k := d.dt.dtype.Kind; k != Int && k != Uint {
		return nil, d.f.wrap(d.desc(), typeErrorf("cannot read %s as int64", d.dt.describe()))
	}
	raw, err := d.readNumeric()
	if err != nil {
		return nil, err
	}
	out, err := toInt64s(raw, d.dt.dtype, d.Len())
	return out, d.f.wrap(d.desc(), err)
}

// ReadUint8 reads a uint8 dataset without conversion; any other type is an
// error (use ReadFloat32 to convert).
func (d *Dataset) ReadUint8() ([]uint8, error) {
	if t := d.dt.dtype; t.Kind != Uint || t.Size != 1 {
		return nil, d.f.wrap(d.desc(), typeErrorf("ReadUint8 on %s data", d.dt.describe()))
	}
	return d.readNumeric()
}

// ReadStrings reads a fixed- or variable-length string dataset.
func (d *Dataset) ReadStrings() ([]string, error) {
	if d.dt.dtype.Kind != String {
		return nil, d.f.wrap(d.desc(), typeErrorf("cannot read %s as strings", d.dt.describe()))
	}
	raw, err := d.readRaw()
	if err != nil {
		return nil, d.f.wrap(d.desc(), err)
	}
	out, err := d.f.decodeStrings(raw, d.dt, d.Len())
	return out, d.f.wrap(d.desc(), err)
}

func (d *Dataset) readNumeric() ([]byte, error) {
	if err := d.dt.supported(); err != nil {
		return nil, d.f.wrap(d.desc(), err)
	}
	if d.dt.dtype.Kind == String {
		return nil, d.f.wrap(d.desc(), typeErrorf("cannot read string data as numbers"))
	}
	raw, err := d.readRaw()
	return raw, d.f.wrap(d.desc(), err)
}

// readRaw returns all elements in stored byte order, row-major.
func (d *Dataset) readRaw() ([]byte, error) {
	if d.readErr != nil {
		return nil, d.readErr
	}
	f := d.f
	es := uint64(f.elemSize(d.dt))
	n := d.space.numElements()
	total, ok := mulCheck(n, es, f.allocLimit())
	if !ok {
		return nil, tooLargef("%d elements of %d bytes exceed what a %d-byte file can hold", n, es, f.size)
	}
	if total == 0 {
		return []byte{}, nil
	}
	l := d.lay
	switch l.class {
	case layoutCompact:
		if uint64(len(l.compact)) < total {
			return nil, corruptf("compact data has %d bytes, dataspace needs %d", len(l.compact), total)
		}
		return append([]byte(nil), l.compact[:total]...), nil
	case layoutContiguous:
		if l.addr == undefAddr {
			return d.filled(total), nil // never written
		}
		if l.size != undefAddr && l.size < total {
			return nil, corruptf("contiguous storage has %d bytes, dataspace needs %d", l.size, total)
		}
		if total > f.size {
			return nil, tooLargef("%d bytes of contiguous data in a %d-byte file", total, f.size)
		}
		return f.readAt(l.addr, total)
	case layoutChunked:
		return d.readChunked(total)
	}
	return nil, corruptf("unknown layout class %d", l.class)
}

// filled returns total bytes of fill value.
func (d *Dataset) filled(total uint64) []byte {
	out := make([]byte, total)
	if d.fill != nil {
		for i := 0; i+len(d.fill) <= len(out); i += len(d.fill) {
			copy(out[i:], d.fill)
		}
	}
	return out
}
