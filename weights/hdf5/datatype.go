package hdf5

import (
	"encoding/binary"
	"fmt"
)

// Kind classifies a datatype into what the Read methods can convert.
type Kind int

// Datatype kinds. Other covers everything this reader cannot convert
// (compound, array, reference, opaque, non-IEEE floats, ...); such objects
// can still be opened and listed, only reading their values fails.
const (
	Other  Kind = iota // unsupported class; see Dtype.String
	Int                // signed two's-complement integer
	Uint               // unsigned integer
	Float              // IEEE 754 binary16, binary32 or binary64
	String             // fixed-length or variable-length string
)

func (k Kind) String() string {
	switch k {
	case Int:
		return "int"
	case Uint:
		return "uint"
	case Float:
		return "float"
	case String:
		return "string"
	}
	return "other"
}

// Dtype describes the stored element type of a dataset or attribute.
type Dtype struct {
	Kind Kind
	// Size is the element size in bytes; for variable-length strings it is
	// the size of the on-disk reference, not of the text.
	Size int
	// ByteOrder is binary.LittleEndian or binary.BigEndian for numbers;
	// nil for strings and unsupported types.
	ByteOrder binary.ByteOrder
	// VarLen is true for variable-length strings.
	VarLen bool
}

// String renders the type as e.g. "uint8", "float32 (big-endian)",
// "string[10]" or "vlen string".
func (t Dtype) String() string {
	be := ""
	if t.ByteOrder == binary.BigEndian && t.Size > 1 {
		be = " (big-endian)"
	}
	switch t.Kind {
	case Int:
		return fmt.Sprintf("int%d%s", 8*t.Size, be)
	case Uint:
		return fmt.Sprintf("uint%d%s", 8*t.Size, be)
	case Float:
		return fmt.Sprintf("float%d%s", 8*t.Size, be)
	case String:
		if t.VarLen {
			return "vlen string"
		}
		return fmt.Sprintf("string[%d]", t.Size)
	}
	return fmt.Sprintf("unsupported type (%d bytes)", t.Size)
}

// Datatype classes (spec IV.A.2.d).
const (
	classFixed     = 0
	classFloat     = 1
	classTime      = 2
	classString    = 3
	classBitfield  = 4
	classOpaque    = 5
	classCompound  = 6
	classReference = 7
	classEnum      = 8
	classVarLen    = 9
	classArray     = 10
)

var classNames = [...]string{"fixed-point", "floating-point", "time", "string", "bitfield",
	"opaque", "compound", "reference", "enum", "variable-length", "array"}

// String padding types for fixed-length strings.
const (
	padNullTerm = 0
	padNullPad  = 1
	padSpacePad = 2
)

// maxTypeDepth limits the nesting of enum and vlen base types.
const maxTypeDepth = 8

// ieeeLayouts holds, per float size, the precision, exponent location and
// size, mantissa location and size, and exponent bias of IEEE 754 formats.
var ieeeLayouts = map[uint32][6]uint32{
	2: {16, 10, 5, 0, 10, 15},
	4: {32, 23, 8, 0, 23, 127},
	8: {64, 52, 11, 0, 52, 1023},
}

// datatype is a decoded datatype message.
type datatype struct {
	class int
	size  uint32
	dtype Dtype
	pad   int    // string padding
	why   string // reason the type is Other, for error messages
}

// parseDatatype decodes a datatype message. Unsupported classes decode into
// Kind Other (with a reason) rather than failing, so the object stays usable.
func (f *File) parseDatatype(data []byte) (*datatype, error) {
	d := newDecoder(data, f, "datatype message")
	t := f.decodeDatatype(d, 0)
	if d.err != nil {
		return nil, d.err
	}
	return t, nil
}

func (f *File) decodeDatatype(d *decoder, depth int) *datatype {
	if depth > maxTypeDepth {
		d.fail("nested too deeply")
		return &datatype{}
	}
	cv := d.u8()
	bits := uint32(d.u8()) | uint32(d.u8())<<8 | uint32(d.u8())<<16
	t := &datatype{class: int(cv & 0x0f), size: d.u32()}
	version := cv >> 4
	if d.err != nil {
		return t
	}
	if version < 1 || version > 5 {
		d.setErr(unsupportedf("datatype message version %d", version))
		return t
	}
	t.dtype.Size = int(t.size)
	order := binary.ByteOrder(binary.LittleEndian)
	if bits&1 != 0 {
		order = binary.BigEndian
	}
	switch t.class {
	case classFixed, classBitfield:
		offset, precision := d.u16(), d.u16()
		switch {
		case t.size != 1 && t.size != 2 && t.size != 4 && t.size != 8:
			t.why = fmt.Sprintf("%d-byte integer", t.size)
		case offset != 0 || uint32(precision) != 8*t.size:
			t.why = fmt.Sprintf("integer with bit offset %d and precision %d", offset, precision)
		default:
			t.dtype.Kind = Uint
			if bits&0x08 != 0 && t.class == classFixed {
				t.dtype.Kind = Int
			}
			t.dtype.ByteOrder = order
		}
	case classFloat:
		offset, precision := d.u16(), d.u16()
		expLoc, expSize, manLoc, manSize := d.u8(), d.u8(), d.u8(), d.u8()
		bias := d.u32()
		// Accept only standard IEEE layouts; anything else (VAX order,
		// custom formats) would silently decode to garbage.
		want, ok := ieeeLayouts[t.size]
		got := [6]uint32{uint32(precision), uint32(expLoc), uint32(expSize), uint32(manLoc), uint32(manSize), bias}
		switch {
		case bits&0x40 != 0:
			t.why = "VAX-order float"
		case !ok || offset != 0 || got != want:
			t.why = fmt.Sprintf("non-IEEE %d-byte float", t.size)
		default:
			t.dtype.Kind = Float
			t.dtype.ByteOrder = order
		}
	case classString:
		t.dtype.Kind = String
		t.pad = int(bits & 0x0f)
	case classEnum:
		// An enum is stored as its base integer type (h5py bools are
		// int8 enums), so it converts like that integer.
		base := f.decodeDatatype(d, depth+1)
		if base.dtype.Kind == Int || base.dtype.Kind == Uint {
			t.dtype = base.dtype
		} else {
			t.why = "enum with non-integer base"
		}
		// Member names and values follow; nothing else is needed.
	case classVarLen:
		f.decodeDatatype(d, depth+1) // base type: validated, not needed
		if bits&0x0f == 1 {
			t.dtype = Dtype{Kind: String, Size: int(t.size), VarLen: true}
		} else {
			t.why = "variable-length sequence"
		}
	default:
		t.why = classNames[t.class%len(classNames)] + " datatype"
		if t.class >= len(classNames) {
			t.why = fmt.Sprintf("datatype class %d", t.class)
		}
	}
	if t.dtype.Kind == Other && t.why == "" {
		t.why = "unsupported datatype"
	}
	return t
}

// supported returns an error naming the type when its values cannot be read.
func (t *datatype) supported() error {
	if t.dtype.Kind == Other {
		return unsupportedf("%s", t.why)
	}
	return nil
}
