package safetensors

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"unicode/utf8"
)

const (
	// prefixLen is the size of the little-endian u64 header length that
	// starts every file.
	prefixLen = 8

	// maxHeaderLen bounds the JSON header. It matches the reference
	// implementation's limit, so any file it accepts is accepted here, while
	// a hostile length prefix cannot make us parse gigabytes of JSON.
	maxHeaderLen = 100_000_000

	// metadataKey is the reserved header key holding the string→string map.
	metadataKey = "__metadata__"

	// dataAlign is the alignment of the data buffer within the file that the
	// writer guarantees by padding the header, so that memory-mapped tensors
	// can be viewed in place as float32 or float64.
	dataAlign = 8
)

// TensorInfo describes one tensor stored in a File, without its data.
type TensorInfo struct {
	Name  string
	Dtype Dtype
	Shape []int // nil for a scalar (shape [])

	// Begin and End are the tensor's byte range [Begin, End) within the
	// file's data buffer (the bytes following the header).
	Begin, End int
}

// NumElements returns the product of the shape (1 for a scalar).
func (t TensorInfo) NumElements() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// header is the decoded and validated JSON header of a file.
type header struct {
	tensors  []TensorInfo // in the order the header lists them
	metadata map[string]string
}

// jsonInt is a JSON integer literal. Unlike decoding into an int directly it
// rejects fractions, exponents and numeric strings, and it lets us report
// negative or out-of-range values with the tensor's name instead of a generic
// decoding error.
type jsonInt int64

func (n *jsonInt) UnmarshalJSON(b []byte) error {
	digits := b
	if len(digits) > 0 && digits[0] == '-' {
		digits = digits[1:]
	}
	if len(digits) == 0 {
		return fmt.Errorf("%s is not an integer", abbreviate(b))
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return fmt.Errorf("%s is not an integer", abbreviate(b))
		}
	}
	v, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return fmt.Errorf("integer %s is out of range", abbreviate(b))
	}
	*n = jsonInt(v)
	return nil
}

// parseHeader decodes and validates the JSON header hdr of the file named
// file, whose data buffer is bufLen bytes long. Every structural rule of the
// format is checked here, so that once it returns successfully each tensor's
// byte range lies inside the buffer and matches its dtype and shape.
func parseHeader(file string, hdr []byte, bufLen int) (*header, error) {
	h, err := parseEntries(file, hdr, bufLen)
	if err != nil {
		return nil, err
	}
	if err := checkCoverage(h.tensors, bufLen); err != nil {
		err.File = file
		return nil, err
	}
	return h, nil
}

// parseEntries is parseHeader without the check that the tensors tile the
// buffer exactly.
func parseEntries(file string, hdr []byte, bufLen int) (*header, error) {
	// The specification requires the header to start with '{' (no leading
	// whitespace); this also rejects non-safetensors files early.
	if len(hdr) == 0 || hdr[0] != '{' {
		return nil, formatErr(file, "", "header does not start with '{'")
	}

	dec := json.NewDecoder(bytes.NewReader(hdr))
	if _, err := dec.Token(); err != nil { // the opening '{'
		return nil, formatErr(file, "", "invalid header JSON: %v", err)
	}

	h := &header{metadata: map[string]string{}}
	seen := map[string]bool{}
	sawMetadata := false
	for dec.More() {
		// The decoder silently replaces invalid UTF-8 with U+FFFD, so check
		// the raw bytes of each key and value ourselves.
		keyStart := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return nil, formatErr(file, "", "invalid header JSON: %v", err)
		}
		name, ok := tok.(string)
		if !ok { // cannot happen for valid JSON, but never trust a decoder's invariants
			return nil, formatErr(file, "", "invalid header JSON: unexpected %v", tok)
		}
		rawKey := hdr[keyStart:dec.InputOffset()]
		if !utf8.Valid(rawKey) {
			return nil, formatErr(file, quoteRawKey(rawKey), "name is not valid UTF-8")
		}
		// Problems inside __metadata__ are reported as file-level errors:
		// it is not a tensor.
		tensor, what := name, "its header entry"
		if name == metadataKey {
			tensor, what = "", metadataKey
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, formatErr(file, tensor, "invalid JSON in %s: %v", what, err)
		}
		if !utf8.Valid(raw) {
			return nil, formatErr(file, tensor, "%s is not valid UTF-8", what)
		}

		if name == metadataKey {
			if sawMetadata {
				return nil, formatErr(file, "", "%s appears twice in the header", metadataKey)
			}
			sawMetadata = true
			if err := decodeMetadata(raw, h.metadata); err != nil {
				return nil, formatErr(file, "", "%s: %v", metadataKey, err)
			}
			continue
		}
		if seen[name] {
			return nil, formatErr(file, name, "name appears twice in the header")
		}
		seen[name] = true
		info, err := decodeTensorInfo(name, raw, bufLen)
		if err != nil {
			return nil, formatErr(file, name, "%v", err)
		}
		h.tensors = append(h.tensors, info)
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return nil, formatErr(file, "", "invalid header JSON: %v", err)
	}
	// Only padding may follow the object.
	if rest := hdr[dec.InputOffset():]; len(bytes.Trim(rest, " \t\r\n")) != 0 {
		return nil, formatErr(file, "", "header has %d bytes of trailing data after the JSON object", len(rest))
	}
	return h, nil
}

// declaredDataLen returns the length of the data buffer the header hdr
// describes (the end of its last tensor), or false if hdr cannot be read
// that far; Parse then reports what is wrong.
func declaredDataLen(hdr []byte) (int, bool) {
	h, err := parseEntries("", hdr, math.MaxInt)
	if err != nil {
		return 0, false
	}
	end := 0
	for _, t := range h.tensors {
		end = max(end, t.End)
	}
	return end, true
}

// quoteRawKey renders the raw bytes of a JSON key (possibly surrounded by a
// comma and whitespace) as a name for an error message, keeping invalid bytes
// visible as escapes when the error is printed with %q.
func quoteRawKey(raw []byte) string {
	raw = bytes.Trim(raw, ", \t\r\n")
	raw = bytes.TrimPrefix(raw, []byte{'"'})
	raw = bytes.TrimSuffix(raw, []byte{'"'})
	return string(raw)
}

// decodeMetadata fills meta from the raw JSON value of __metadata__, which
// must be an object of strings (or null).
func decodeMetadata(raw json.RawMessage, meta map[string]string) error {
	if string(raw) == "null" {
		return nil
	}
	if len(raw) == 0 || raw[0] != '{' {
		return fmt.Errorf("must be an object of strings, got %s", abbreviate(raw))
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return err
	}
	for k, v := range m {
		if len(v) == 0 || v[0] != '"' {
			return fmt.Errorf("value of %q must be a string, got %s", k, abbreviate(v))
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return fmt.Errorf("value of %q: %v", k, err)
		}
		meta[k] = s
	}
	return nil
}

// decodeTensorInfo decodes and checks one tensor entry of the header against
// a data buffer of bufLen bytes.
func decodeTensorInfo(name string, raw json.RawMessage, bufLen int) (TensorInfo, error) {
	info := TensorInfo{Name: name}
	if len(raw) == 0 || raw[0] != '{' {
		return info, fmt.Errorf("entry must be an object, got %s", abbreviate(raw))
	}
	// A map rather than a struct: encoding/json matches struct fields
	// case-insensitively and cannot tell a missing field from a zero one.
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return info, err
	}
	for _, key := range []string{"dtype", "shape", "data_offsets"} {
		if v, ok := fields[key]; !ok || string(v) == "null" {
			return info, fmt.Errorf("entry has no %q", key)
		}
	}

	var dtypeName string
	if err := json.Unmarshal(fields["dtype"], &dtypeName); err != nil {
		return info, fmt.Errorf("dtype must be a string, got %s", abbreviate(fields["dtype"]))
	}
	dtype, err := ParseDtype(dtypeName)
	if err != nil {
		return info, fmt.Errorf("unsupported dtype %q", dtypeName)
	}
	info.Dtype = dtype

	var shape []jsonInt
	if err := decodeIntArray(fields["shape"], &shape); err != nil {
		return info, fmt.Errorf("shape must be an array of integers: %v", err)
	}
	for i, d := range shape {
		if d < 0 {
			return info, fmt.Errorf("negative dimension %d at index %d of shape %v", d, i, shape)
		}
		if int64(d) > math.MaxInt {
			return info, fmt.Errorf("dimension %d at index %d of shape %v is too large", d, i, shape)
		}
	}
	if len(shape) > 0 {
		info.Shape = make([]int, len(shape))
		for i, d := range shape {
			info.Shape[i] = int(d)
		}
	}

	var offsets []jsonInt
	if err := decodeIntArray(fields["data_offsets"], &offsets); err != nil {
		return info, fmt.Errorf("data_offsets must be an array of two integers: %v", err)
	}
	if len(offsets) != 2 {
		return info, fmt.Errorf("data_offsets must have 2 elements, got %d", len(offsets))
	}
	begin, end := int64(offsets[0]), int64(offsets[1])
	switch {
	case begin < 0 || end < 0:
		return info, fmt.Errorf("data_offsets [%d, %d] are negative", begin, end)
	case end < begin:
		return info, fmt.Errorf("data_offsets [%d, %d] end before they begin", begin, end)
	case end > int64(bufLen):
		return info, fmt.Errorf("data_offsets [%d, %d] exceed the %d-byte data buffer", begin, end, bufLen)
	}
	info.Begin, info.End = int(begin), int(end)

	need, ok := byteSize(dtype, info.Shape)
	if !ok {
		return info, fmt.Errorf("shape %v of %v has more bytes than fit in an int", shapeString(info.Shape), dtype)
	}
	if have := end - begin; uint64(have) != need {
		return info, fmt.Errorf("data_offsets [%d, %d] give %d bytes, shape %v of %v needs %d",
			begin, end, have, shapeString(info.Shape), dtype, need)
	}
	return info, nil
}

// decodeIntArray decodes a JSON array of integers. Checking for the array
// up front gives a readable message instead of encoding/json's, which names
// Go types.
func decodeIntArray(raw json.RawMessage, out *[]jsonInt) error {
	if len(raw) == 0 || raw[0] != '[' {
		return fmt.Errorf("got %s", abbreviate(raw))
	}
	return json.Unmarshal(raw, out)
}

// byteSize returns dtype's element size times the product of shape, and
// false if that does not fit in an int. Any zero dimension makes the size
// zero regardless of how large the other dimensions are.
func byteSize(dtype Dtype, shape []int) (uint64, bool) {
	if slices.Contains(shape, 0) {
		return 0, true
	}
	n := uint64(dtype.Size())
	for _, d := range shape {
		hi, lo := bits.Mul64(n, uint64(d))
		if hi != 0 || lo > math.MaxInt {
			return 0, false
		}
		n = lo
	}
	return n, true
}

// shapeString formats a shape the way fmt prints a slice, with [] for a
// scalar rather than fmt's nil rendering.
func shapeString(shape []int) string {
	if len(shape) == 0 {
		return "[]"
	}
	return fmt.Sprint(shape)
}

// abbreviate shortens a raw JSON value for an error message so that a
// hostile header cannot produce a multi-megabyte error string.
func abbreviate(raw []byte) string {
	const max = 40
	if len(raw) <= max {
		return string(raw)
	}
	return string(raw[:max]) + "..."
}

// checkCoverage verifies that the tensors' byte ranges tile the data buffer
// exactly: no overlaps, no holes, nothing unused at the end. The
// specification demands this so a file cannot smuggle hidden bytes (for
// example a second file format) inside its buffer.
func checkCoverage(tensors []TensorInfo, bufLen int) *FormatError {
	order := make([]int, len(tensors))
	for i := range order {
		order[i] = i
	}
	// Sort by (Begin, End) so empty tensors sit before a tensor starting at
	// the same offset and do not look like overlaps.
	slices.SortStableFunc(order, func(a, b int) int {
		ta, tb := &tensors[a], &tensors[b]
		if ta.Begin != tb.Begin {
			return ta.Begin - tb.Begin
		}
		return ta.End - tb.End
	})

	covered := 0 // bytes [0, covered) belong to the tensors seen so far
	prev := -1   // index of the tensor ending at covered, if any
	for _, i := range order {
		t := &tensors[i]
		switch {
		case t.Begin < covered:
			return &FormatError{Tensor: t.Name, Msg: fmt.Sprintf(
				"data_offsets [%d, %d] overlap tensor %q at [%d, %d]",
				t.Begin, t.End, shortName(tensors[prev].Name), tensors[prev].Begin, tensors[prev].End)}
		case t.Begin > covered:
			return &FormatError{Tensor: t.Name, Msg: fmt.Sprintf(
				"data_offsets [%d, %d] leave a hole: buffer bytes [%d, %d) belong to no tensor",
				t.Begin, t.End, covered, t.Begin)}
		}
		if t.End > covered || prev < 0 {
			covered, prev = t.End, i
		}
	}
	if covered != bufLen {
		last := ""
		if prev >= 0 {
			last = tensors[prev].Name
		}
		return &FormatError{Tensor: last, Msg: fmt.Sprintf(
			"tensors cover %d bytes but the data buffer has %d: the last %d bytes belong to no tensor",
			covered, bufLen, bufLen-covered)}
	}
	return nil
}
