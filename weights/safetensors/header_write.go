package safetensors

import (
	"encoding/binary"
	"slices"
	"strconv"
)

// encodeHeader returns the length prefix and JSON header for tensors laid out
// as planned, padded with spaces so the data buffer starts at a multiple of
// dataAlign bytes. All keys, "__metadata__" included, are emitted in sorted
// order and without insignificant whitespace, so equal inputs always give
// byte-identical files. An empty metadata map is omitted, as other writers
// do.
func encodeHeader(tensors []plannedTensor, metadata map[string]string) []byte {
	byName := make(map[string]*plannedTensor, len(tensors))
	keys := make([]string, 0, len(tensors)+1)
	for i := range tensors {
		byName[tensors[i].Name] = &tensors[i]
		keys = append(keys, tensors[i].Name)
	}
	if len(metadata) > 0 {
		keys = append(keys, metadataKey)
	}
	slices.Sort(keys)

	out := make([]byte, prefixLen, 256)
	out = append(out, '{')
	for i, k := range keys {
		if i > 0 {
			out = append(out, ',')
		}
		out = appendJSONString(out, k)
		out = append(out, ':')
		if k == metadataKey {
			out = appendMetadata(out, metadata)
			continue
		}
		t := byName[k]
		out = append(out, `{"dtype":`...)
		out = appendJSONString(out, t.dtype.String())
		out = append(out, `,"shape":[`...)
		for j, d := range t.Shape {
			if j > 0 {
				out = append(out, ',')
			}
			out = strconv.AppendInt(out, int64(d), 10)
		}
		out = append(out, `],"data_offsets":[`...)
		out = strconv.AppendInt(out, int64(t.begin), 10)
		out = append(out, ',')
		out = strconv.AppendInt(out, int64(t.end), 10)
		out = append(out, ']', '}')
	}
	out = append(out, '}')
	for len(out)%dataAlign != 0 {
		out = append(out, ' ')
	}
	binary.LittleEndian.PutUint64(out, uint64(len(out)-prefixLen))
	return out
}

// appendMetadata appends metadata as a JSON object with sorted keys.
func appendMetadata(out []byte, metadata map[string]string) []byte {
	keys := make([]string, 0, len(metadata))
	for k := range metadata {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out = append(out, '{')
	for i, k := range keys {
		if i > 0 {
			out = append(out, ',')
		}
		out = appendJSONString(out, k)
		out = append(out, ':')
		out = appendJSONString(out, metadata[k])
	}
	return append(out, '}')
}

// appendJSONString appends s, which must be valid UTF-8, as a JSON string.
// Unlike encoding/json it leaves <, > and & alone, as Python's json module
// does, so headers look the same as those written by the reference tools.
func appendJSONString(out []byte, s string) []byte {
	const hex = "0123456789abcdef"
	out = append(out, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			out = append(out, '\\', c)
		case c == '\n':
			out = append(out, '\\', 'n')
		case c == '\r':
			out = append(out, '\\', 'r')
		case c == '\t':
			out = append(out, '\\', 't')
		case c < 0x20:
			out = append(out, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default: // includes the bytes of multi-byte UTF-8 sequences, copied as is
			out = append(out, c)
		}
	}
	return append(out, '"')
}
