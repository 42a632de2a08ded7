package safetensors

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"reflect"
	"testing"
)

// FuzzParse feeds arbitrary bytes to Parse. It must never panic; every
// failure must be a *FormatError; and every accepted file must obey the
// format's invariants and survive a write/parse round trip unchanged.
func FuzzParse(f *testing.F) {
	for _, seed := range fuzzSeeds(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse("fuzz", data)
		if err != nil {
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v (%T) is not a *FormatError", err, err)
			}
			return
		}
		checkParsed(t, file, data)
	})
}

// FuzzParseHeader fuzzes the JSON header directly: with a correct length
// prefix built around it, mutations reach the header validation instead of
// mostly breaking the prefix.
func FuzzParseHeader(f *testing.F) {
	for _, seed := range fuzzSeeds(f) {
		if len(seed) < prefixLen {
			continue
		}
		n := min(binary.LittleEndian.Uint64(seed), uint64(len(seed)-prefixLen))
		f.Add(string(seed[prefixLen:prefixLen+n]), uint16(len(seed)-prefixLen-int(n)))
	}
	f.Fuzz(func(t *testing.T, header string, bufLen uint16) {
		data := file(header, int(bufLen))
		file, err := Parse("fuzz", data)
		if err != nil {
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v (%T) is not a *FormatError", err, err)
			}
			return
		}
		checkParsed(t, file, data)
	})
}

// checkParsed checks an accepted file's invariants and round-trips it.
func checkParsed(t *testing.T, f *File, data []byte) {
	infos := f.Tensors()
	covered := 0
	var tensors []Tensor
	rewritable := true
	for _, info := range infos {
		raw, err := f.Bytes(info.Name)
		if err != nil {
			t.Fatalf("Bytes(%q): %v", info.Name, err)
		}
		if len(raw) != info.NumElements()*info.Dtype.Size() || len(raw) != info.End-info.Begin {
			t.Fatalf("tensor %q: %d bytes for %+v", info.Name, len(raw), info)
		}
		covered += len(raw)
		if info.Dtype.IsFloat() {
			vals, err := f.Float32(info.Name)
			if err != nil || len(vals) != info.NumElements() {
				t.Fatalf("Float32(%q) = %d values, %v; want %d", info.Name, len(vals), err, info.NumElements())
			}
		}
		if info.Name == "" {
			rewritable = false // the writer refuses empty names
		}
		tensors = append(tensors, Tensor{Name: info.Name, Dtype: info.Dtype, Shape: info.Shape, Data: raw})
	}
	if covered > len(data) {
		t.Fatalf("tensors cover %d bytes of a %d-byte file", covered, len(data))
	}
	if !rewritable {
		return
	}

	var buf bytes.Buffer
	if err := Write(&buf, tensors, f.Metadata()); err != nil {
		t.Fatalf("rewriting an accepted file: %v", err)
	}
	g, err := Parse("rewritten", buf.Bytes())
	if err != nil {
		t.Fatalf("parsing a rewritten file: %v", err)
	}
	if !reflect.DeepEqual(g.Metadata(), f.Metadata()) {
		t.Fatalf("metadata changed: %q → %q", f.Metadata(), g.Metadata())
	}
	if !reflect.DeepEqual(g.Names(), f.Names()) {
		t.Fatalf("names changed: %q → %q", f.Names(), g.Names())
	}
	for _, info := range infos {
		gi, _ := g.Tensor(info.Name)
		if gi.Dtype != info.Dtype || !reflect.DeepEqual(gi.Shape, info.Shape) {
			t.Fatalf("tensor %q changed: %+v → %+v", info.Name, info, gi)
		}
		a, _ := f.Bytes(info.Name)
		b, _ := g.Bytes(info.Name)
		if !bytes.Equal(a, b) {
			t.Fatalf("tensor %q data changed", info.Name)
		}
	}
}

// fuzzSeeds returns valid files of several shapes plus near-misses.
func fuzzSeeds(tb testing.TB) [][]byte {
	write := func(tensors []Tensor, meta map[string]string, opts ...Option) []byte {
		var buf bytes.Buffer
		if err := Write(&buf, tensors, meta, opts...); err != nil {
			tb.Fatal(err)
		}
		return buf.Bytes()
	}
	valid := write([]Tensor{
		{Name: "conv1/kernel", Shape: []int{1, 1, 2, 2}, Values: []float32{1, -0.5, float32(math.Inf(1)), 0}},
		{Name: "bn_conv1/moving_mean", Dtype: F16, Shape: []int{3}, Values: []float32{1, 2, 3}},
		{Name: "step", Dtype: I64, Data: make([]byte, 8)},
		{Name: "mask", Dtype: BOOL, Shape: []int{2}, Data: []byte{0, 1}},
	}, map[string]string{"arch": `{"layers":[]}`, "format": "pt"})
	seeds := [][]byte{
		valid,
		valid[:len(valid)-1],
		write(nil, nil),
		write([]Tensor{{Name: "e", Shape: []int{0}, Values: []float32{}}}, map[string]string{"k": "v"}, WithFloatDtype(BF16)),
		write([]Tensor{{Name: "x", Shape: []int{2}, Values: []float32{1, 2}}}, nil, WithFloatDtype(F64)),
		file(`{"__metadata__":null}`, 0),
		file(`{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"b":{"dtype":"F32","shape":[1],"data_offsets":[1,5]}}`, 5),
		file(`{"a":{"dtype":"F32","shape":[9223372036854775807,0],"data_offsets":[0,0]}}`, 0),
		file(`{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}}`, 8),
		file(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}`, 12),
		file(`{"a":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}}`, 2),
		file(`{"":{"dtype":"U8","shape":[],"data_offsets":[0,1]}}`, 1),
		withPrefix(1<<40, `{}`),
		{},
	}
	return seeds
}

// TestFuzzSeeds runs the fuzz body's checks on the seeds in ordinary test
// runs, so the invariants are exercised even without -fuzz.
func TestFuzzSeedsAcceptedAsExpected(t *testing.T) {
	accepted := 0
	for _, seed := range fuzzSeeds(t) {
		if f, err := Parse("seed", seed); err == nil {
			accepted++
			checkParsed(t, f, seed)
		}
	}
	if accepted < 7 {
		t.Fatalf("only %d seeds parse; the valid seeds are broken", accepted)
	}
}
