package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// pythonStyleFile is laid out byte for byte the way the reference
// implementation (safetensors.torch.save_file) lays out a file: header with
// "__metadata__", spaces after separators, keys not in buffer order, space
// padding to 8 bytes, and a buffer ordered by decreasing dtype alignment.
// Nothing in it comes from this package's writer.
func pythonStyleFile(t *testing.T) []byte {
	t.Helper()
	header := `{"__metadata__": {"format": "pt", "note": "caf\u00e9"}, ` +
		`"weight": {"dtype": "F16", "shape": [2, 2], "data_offsets": [20, 28]}, ` +
		`"bias": {"dtype": "F32", "shape": [2], "data_offsets": [8, 16]}, ` +
		`"step": {"dtype": "I64", "shape": [], "data_offsets": [0, 8]}, ` +
		`"emb": {"dtype": "BF16", "shape": [1, 2], "data_offsets": [16, 20]}}`
	for (8+len(header))%8 != 0 {
		header += " "
	}
	buffer := "" +
		"2a00000000000000" + // step: int64 42
		"0000c03f" + "00000080" + // bias: float32 1.5, -0
		"803f" + "40c0" + // emb: bfloat16 1, -3
		"003c" + "00c0" + "0038" + "ff7b" // weight: float16 1, -2, 0.5, 65504
	data, err := hex.DecodeString(buffer)
	if err != nil {
		t.Fatal(err)
	}
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	out = append(out, header...)
	return append(out, data...)
}

func TestParsePythonStyleFixture(t *testing.T) {
	f, err := Parse("fixture.safetensors", pythonStyleFile(t))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := f.Metadata(), map[string]string{"format": "pt", "note": "café"}; !reflect.DeepEqual(got, want) {
		t.Errorf("metadata = %q, want %q", got, want)
	}
	if got, want := f.Names(), []string{"bias", "emb", "step", "weight"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Names = %q, want %q", got, want)
	}
	for name, want := range map[string][]float32{
		"bias":   {1.5, float32(math.Copysign(0, -1))},
		"emb":    {1, -3},
		"weight": {1, -2, 0.5, 65504},
	} {
		got, err := f.Float32(name)
		if err != nil {
			t.Fatalf("Float32(%q): %v", name, err)
		}
		if len(got) != len(want) {
			t.Fatalf("Float32(%q) = %v, want %v", name, got, want)
		}
		for i := range want {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Errorf("Float32(%q)[%d] = %v, want %v", name, i, got[i], want[i])
			}
		}
	}
	step, _ := f.Tensor("step")
	if step.Dtype != I64 || step.Shape != nil || step.NumElements() != 1 || step.Begin != 0 || step.End != 8 {
		t.Errorf("step = %+v", step)
	}
	raw, err := f.Bytes("step")
	if err != nil || binary.LittleEndian.Uint64(raw) != 42 {
		t.Errorf("step bytes = %x, %v", raw, err)
	}
	w, _ := f.Tensor("weight")
	if w.Dtype != F16 || !reflect.DeepEqual(w.Shape, []int{2, 2}) || w.NumElements() != 4 {
		t.Errorf("weight = %+v", w)
	}
}

// TestWrittenHeaderLayout checks our output against the specification with
// encoding/json rather than our own parser: 8-byte length, header starting
// with '{' and padded with spaces to 8-byte alignment, keys sorted, offsets
// tiling the buffer exactly.
func TestWrittenHeaderLayout(t *testing.T) {
	var buf bytes.Buffer
	err := Write(&buf, []Tensor{
		{Name: "conv1/kernel", Shape: []int{3, 3, 3, 4}, Values: make([]float32, 108)},
		{Name: "Zeta", Dtype: F16, Shape: []int{3}, Values: []float32{1, 2, 3}},
		{Name: "bn_conv1/moving_mean", Shape: []int{4}, Values: make([]float32, 4)},
		{Name: "ids", Dtype: I8, Shape: []int{1}, Data: []byte{7}},
	}, map[string]string{"format": "pt", "arch": `{"a":1}`})
	if err != nil {
		t.Fatal(err)
	}
	raw := buf.Bytes()
	n := binary.LittleEndian.Uint64(raw)
	if (8+n)%8 != 0 {
		t.Errorf("header length %d leaves the buffer unaligned", n)
	}
	hdr := raw[8 : 8+n]
	if hdr[0] != '{' {
		t.Errorf("header starts with %q", hdr[0])
	}
	trimmed := bytes.TrimRight(hdr, " ")
	if trimmed[len(trimmed)-1] != '}' || len(hdr)-len(trimmed) >= 8 {
		t.Errorf("header must end in '}' plus fewer than 8 spaces: %q", hdr)
	}

	var parsed map[string]json.RawMessage
	if err := json.Unmarshal(hdr, &parsed); err != nil {
		t.Fatalf("header is not valid JSON: %v\n%s", err, hdr)
	}
	// Key order as it appears in the file.
	dec := json.NewDecoder(bytes.NewReader(hdr))
	dec.Token()
	var keys []string
	for dec.More() {
		k, _ := dec.Token()
		keys = append(keys, k.(string))
		var skip json.RawMessage
		dec.Decode(&skip)
	}
	if !slices.IsSorted(keys) {
		t.Errorf("header keys not sorted: %q", keys)
	}
	if want := []string{"Zeta", "__metadata__", "bn_conv1/moving_mean", "conv1/kernel", "ids"}; !reflect.DeepEqual(keys, want) {
		t.Errorf("header keys = %q, want %q", keys, want)
	}
	var meta map[string]string
	if err := json.Unmarshal(parsed["__metadata__"], &meta); err != nil || meta["arch"] != `{"a":1}` {
		t.Errorf("__metadata__ = %s (%v)", parsed["__metadata__"], err)
	}

	type entry struct {
		Dtype       string `json:"dtype"`
		Shape       []int  `json:"shape"`
		DataOffsets []int  `json:"data_offsets"`
	}
	var spans [][2]int
	for k, v := range parsed {
		if k == "__metadata__" {
			continue
		}
		var e entry
		if err := json.Unmarshal(v, &e); err != nil || len(e.DataOffsets) != 2 {
			t.Fatalf("entry %q = %s (%v)", k, v, err)
		}
		if strings.ToUpper(e.Dtype) != e.Dtype {
			t.Errorf("entry %q: dtype %q", k, e.Dtype)
		}
		spans = append(spans, [2]int{e.DataOffsets[0], e.DataOffsets[1]})
	}
	slices.SortFunc(spans, func(a, b [2]int) int { return a[0] - b[0] })
	at := 0
	for _, s := range spans {
		if s[0] != at {
			t.Fatalf("offsets %v do not tile the buffer", spans)
		}
		at = s[1]
	}
	if at != len(raw)-int(8+n) {
		t.Errorf("tensors cover %d bytes, buffer has %d", at, len(raw)-int(8+n))
	}
}
