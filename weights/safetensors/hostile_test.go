package safetensors

import (
	"encoding/binary"
	"errors"
	"strings"
	"testing"
)

// file assembles a safetensors file from a header string and a buffer of
// the given length, with the correct length prefix.
func file(header string, bufLen int) []byte {
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	out = append(out, header...)
	return append(out, make([]byte, bufLen)...)
}

// withPrefix returns a file whose length prefix is n regardless of what
// follows.
func withPrefix(n uint64, rest string) []byte {
	return append(binary.LittleEndian.AppendUint64(nil, n), rest...)
}

func TestParseRejectsHostileFiles(t *testing.T) {
	const f32x2 = `"dtype":"F32","shape":[2]`
	for _, tc := range []struct {
		name   string
		data   []byte
		tensor string // the tensor the error must name; "" for file-level errors
		want   string // a fragment of the message
	}{
		{"empty file", nil, "", "too short"},
		{"short prefix", []byte{1, 0, 0}, "", "too short"},
		{"header past end of file", withPrefix(1000, `{}`), "", "header length 1000 exceeds the 2 bytes"},
		{"header over limit", withPrefix(200_000_000, `{}`), "", "exceeds the 100000000-byte limit"},
		{"header length overflows", withPrefix(^uint64(0), `{}`), "", "exceeds"},
		{"zero-length header", withPrefix(0, ``), "", "does not start with '{'"},
		{"leading whitespace", file(` {}`, 0), "", "does not start with '{'"},
		{"not an object", file(`[]`, 0), "", "does not start with '{'"},
		{"invalid JSON", file(`{"a":{"dtype":"F32",}}`, 0), "a", "invalid JSON in its header entry"},
		{"truncated JSON", file(`{"a":`, 0), "a", "invalid JSON in its header entry"},
		{"unterminated object", file(`{"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]}`, 4), "", "invalid header JSON"},
		{"trailing garbage", file(`{} x`, 0), "", "trailing data"},
		{"second object", file(`{}{}`, 0), "", "trailing data"},
		{"non-UTF-8 name", file("{\"conv\xff1\":{"+f32x2+`,"data_offsets":[0,8]}}`, 8), "conv\xff1", "not valid UTF-8"},
		{"non-UTF-8 dtype", file("{\"a\":{\"dtype\":\"F\xff\",\"shape\":[],\"data_offsets\":[0,0]}}", 0), "a", "not valid UTF-8"},
		{"non-UTF-8 metadata", file("{\"__metadata__\":{\"k\":\"\xfe\"}}", 0), "", "not valid UTF-8"},
		{"entry not object", file(`{"a":[1,2]}`, 0), "a", "must be an object"},
		{"missing dtype", file(`{"a":{"shape":[2],"data_offsets":[0,8]}}`, 8), "a", `no "dtype"`},
		{"missing shape", file(`{"a":{"dtype":"F32","data_offsets":[0,8]}}`, 8), "a", `no "shape"`},
		{"missing offsets", file(`{"a":{`+f32x2+`}}`, 8), "a", `no "data_offsets"`},
		{"null offsets", file(`{"a":{`+f32x2+`,"data_offsets":null}}`, 8), "a", `no "data_offsets"`},
		{"dtype not string", file(`{"a":{"dtype":4,"shape":[2],"data_offsets":[0,8]}}`, 8), "a", "dtype must be a string"},
		{"unknown dtype", file(`{"emb":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}}`, 2), "emb", `unsupported dtype "F8_E4M3"`},
		{"lowercase dtype", file(`{"a":{"dtype":"f32","shape":[2],"data_offsets":[0,8]}}`, 8), "a", `unsupported dtype "f32"`},
		{"negative dim", file(`{"a":{"dtype":"F32","shape":[2,-3],"data_offsets":[0,8]}}`, 8), "a", "negative dimension -3"},
		{"fractional dim", file(`{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,8]}}`, 8), "a", "not an integer"},
		{"exponent dim", file(`{"a":{"dtype":"F32","shape":[1e2],"data_offsets":[0,8]}}`, 8), "a", "not an integer"},
		{"string dim", file(`{"a":{"dtype":"F32","shape":["2"],"data_offsets":[0,8]}}`, 8), "a", "not an integer"},
		{"dim beyond int64", file(`{"a":{"dtype":"F32","shape":[99999999999999999999],"data_offsets":[0,8]}}`, 8), "a", "out of range"},
		{"shape not array", file(`{"a":{"dtype":"F32","shape":2,"data_offsets":[0,8]}}`, 8), "a", "shape must be an array"},
		{"one offset", file(`{"a":{`+f32x2+`,"data_offsets":[8]}}`, 8), "a", "must have 2 elements, got 1"},
		{"three offsets", file(`{"a":{`+f32x2+`,"data_offsets":[0,8,8]}}`, 8), "a", "must have 2 elements, got 3"},
		{"negative offset", file(`{"a":{`+f32x2+`,"data_offsets":[-8,0]}}`, 8), "a", "negative"},
		{"end before begin", file(`{"a":{`+f32x2+`,"data_offsets":[8,0]}}`, 8), "a", "data_offsets [8, 0] end before they begin"},
		{"end past buffer", file(`{"a":{`+f32x2+`,"data_offsets":[0,8]}}`, 4), "a", "exceed the 4-byte data buffer"},
		{"huge offsets", file(`{"a":{`+f32x2+`,"data_offsets":[0,9223372036854775807]}}`, 8), "a", "exceed"},
		{
			"size mismatch",
			file(`{"conv1/kernel":{"dtype":"F32","shape":[3,3,3,64],"data_offsets":[0,100]}}`, 100),
			"conv1/kernel",
			"data_offsets [0, 100] give 100 bytes, shape [3 3 3 64] of F32 needs 6912",
		},
		{"scalar size mismatch", file(`{"s":{"dtype":"I64","shape":[],"data_offsets":[0,4]}}`, 4), "s", "shape [] of I64 needs 8"},
		{
			"shape overflow",
			file(`{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}}`, 8),
			"a", "more bytes than fit",
		},
		{
			"overlap",
			file(`{"a":{`+f32x2+`,"data_offsets":[0,8]},"b":{`+f32x2+`,"data_offsets":[4,12]}}`, 12),
			"b", `overlap tensor "a" at [0, 8]`,
		},
		{
			"identical ranges",
			file(`{"a":{`+f32x2+`,"data_offsets":[0,8]},"b":{`+f32x2+`,"data_offsets":[0,8]}}`, 8),
			"b", "overlap",
		},
		{
			"empty tensor inside another",
			file(`{"a":{`+f32x2+`,"data_offsets":[0,8]},"e":{"dtype":"F32","shape":[0],"data_offsets":[4,4]}}`, 8),
			"e", "overlap",
		},
		{
			"hole between tensors",
			file(`{"a":{`+f32x2+`,"data_offsets":[0,8]},"b":{`+f32x2+`,"data_offsets":[12,20]}}`, 20),
			"b", "hole: buffer bytes [8, 12)",
		},
		{"hole at start", file(`{"a":{`+f32x2+`,"data_offsets":[4,12]}}`, 12), "a", "hole: buffer bytes [0, 4)"},
		{"unused tail", file(`{"a":{`+f32x2+`,"data_offsets":[0,8]}}`, 12), "a", "the last 4 bytes belong to no tensor"},
		{"buffer without tensors", file(`{}`, 4), "", "the last 4 bytes belong to no tensor"},
		{
			"duplicate tensor",
			file(`{"a":{`+f32x2+`,"data_offsets":[0,8]},"a":{`+f32x2+`,"data_offsets":[8,16]}}`, 16),
			"a", "appears twice",
		},
		{"duplicate metadata", file(`{"__metadata__":{},"__metadata__":{}}`, 0), "", "appears twice"},
		{"metadata not object", file(`{"__metadata__":"x"}`, 0), "", "must be an object"},
		{"metadata number value", file(`{"__metadata__":{"epoch":3}}`, 0), "", `value of "epoch" must be a string`},
		{"metadata nested", file(`{"__metadata__":{"arch":{"a":1}}}`, 0), "", `value of "arch" must be a string`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const fileName = "bad.safetensors"
			f, err := Parse(fileName, tc.data)
			if err == nil {
				t.Fatalf("Parse succeeded with tensors %q", f.Names())
			}
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v (%T) is not a *FormatError", err, err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "safetensors: "+fileName+": ") {
				t.Errorf("error %q does not name the file", msg)
			}
			if fe.Tensor != tc.tensor {
				t.Errorf("error names tensor %q, want %q (%s)", fe.Tensor, tc.tensor, msg)
			}
			if tc.tensor != "" && !strings.Contains(msg, "tensor "+quote(tc.tensor)) {
				t.Errorf("error %q does not name tensor %q", msg, tc.tensor)
			}
			if !strings.Contains(msg, tc.want) {
				t.Errorf("error %q does not contain %q", msg, tc.want)
			}
			t.Log(msg)
			if len(msg) > 400 {
				t.Errorf("error message is %d bytes long", len(msg))
			}
		})
	}
}

func quote(s string) string {
	var b strings.Builder
	b.WriteString(`"`)
	for _, r := range []byte(s) {
		if r >= 0x80 {
			b.WriteString(`\x` + "0123456789abcdef"[r>>4:r>>4+1] + "0123456789abcdef"[r&15:r&15+1])
		} else {
			b.WriteByte(r)
		}
	}
	b.WriteString(`"`)
	return b.String()
}

// A hostile file can use enormous names; errors must stay readable.
func TestErrorTruncatesLongNames(t *testing.T) {
	name := strings.Repeat("n", 1<<20)
	_, err := Parse("long", file(`{"`+name+`":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}`, 4))
	var fe *FormatError
	if !errors.As(err, &fe) || fe.Tensor != name {
		t.Fatalf("err = %.100v, want a *FormatError carrying the full name", err)
	}
	if len(err.Error()) > 400 {
		t.Fatalf("error message is %d bytes long", len(err.Error()))
	}
}

// Files the specification allows but that are easy to reject by mistake.
func TestParseAcceptsEdgeCases(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"no tensors", file(`{}`, 0)},
		{"only metadata", file(`{"__metadata__":{"a":"b"}}`, 0)},
		{"null metadata", file(`{"__metadata__":null}`, 0)},
		{"padding", file(`{}       `, 0)},
		{"whitespace padding", file("{ \"a\" : {\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]} }\n\t ", 1)},
		{"empty tensors share offsets", file(`{"a":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},`+
			`"b":{"dtype":"F64","shape":[3,0],"data_offsets":[0,0]},"c":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}`, 1)},
		{"zero dim beside huge dims", file(`{"a":{"dtype":"F32","shape":[9223372036854775807,0,9223372036854775807],"data_offsets":[0,0]}}`, 0)},
		{"unknown entry field", file(`{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"extra":true}}`, 1)},
		{"unicode name", file(`{"gewicht/ß✓":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}`, 1)},
		{"unaligned F32", file(`{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"b":{"dtype":"F32","shape":[1],"data_offsets":[1,5]}}`, 5)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Parse("ok.safetensors", tc.data)
			if err != nil {
				t.Fatal(err)
			}
			for _, name := range f.Names() {
				if info, _ := f.Tensor(name); info.Dtype.IsFloat() {
					if _, err := f.Float32(name); err != nil {
						t.Errorf("Float32(%q): %v", name, err)
					}
				}
			}
		})
	}
}
