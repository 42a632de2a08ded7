package safetensors

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

// specialFloats are the values a float32 round trip must preserve bit for bit.
var specialFloats = []float32{
	0, float32(math.Copysign(0, -1)), 1, -1.5, 3.1415927,
	float32(math.Inf(1)), float32(math.Inf(-1)),
	math.Float32frombits(1),          // smallest subnormal
	math.Float32frombits(0x807fffff), // largest negative subnormal
	math.MaxFloat32, -math.SmallestNonzeroFloat32,
	65504, 65520, 1e-8, 0x1p-24,
}

// writeParse writes tensors to memory and parses the result.
func writeParse(t *testing.T, tensors []Tensor, meta map[string]string, opts ...Option) (*File, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, tensors, meta, opts...); err != nil {
		t.Fatalf("Write: %v", err)
	}
	f, err := Parse("mem.safetensors", buf.Bytes())
	if err != nil {
		t.Fatalf("Parse of written file: %v", err)
	}
	return f, buf.Bytes()
}

func TestRoundTripF32BitExact(t *testing.T) {
	f, _ := writeParse(t, []Tensor{{Name: "x", Shape: []int{len(specialFloats)}, Values: specialFloats}}, nil)
	got, err := f.Float32("x")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(specialFloats) {
		t.Fatalf("got %d values, want %d", len(got), len(specialFloats))
	}
	for i, want := range specialFloats {
		if math.Float32bits(got[i]) != math.Float32bits(want) {
			t.Errorf("value %d: got %#08x, want %#08x", i, math.Float32bits(got[i]), math.Float32bits(want))
		}
	}
}

func TestRoundTripNarrowDtypes(t *testing.T) {
	values := append([]float32{1e5, -1e5, 1e-6, 0.1, 2.5e-8, 70000, 0.3}, specialFloats...) // even count: shape [2, n/2]
	for _, tc := range []struct {
		dtype Dtype
		want  func(float32) float32
	}{
		{F16, func(v float32) float32 { return Float16FromBits(Float16Bits(v)) }},
		{BF16, func(v float32) float32 { return BFloat16FromBits(BFloat16Bits(v)) }},
		{F64, func(v float32) float32 { return v }},
	} {
		t.Run(tc.dtype.String(), func(t *testing.T) {
			f, _ := writeParse(t, []Tensor{{Name: "w", Shape: []int{2, len(values) / 2}, Values: values}}, nil,
				WithFloatDtype(tc.dtype))
			info, ok := f.Tensor("w")
			if !ok || info.Dtype != tc.dtype {
				t.Fatalf("stored dtype = %v (found %v), want %v", info.Dtype, ok, tc.dtype)
			}
			if info.End-info.Begin != len(values)*tc.dtype.Size() {
				t.Fatalf("stored %d bytes, want %d", info.End-info.Begin, len(values)*tc.dtype.Size())
			}
			got, err := f.Float32("w")
			if err != nil {
				t.Fatal(err)
			}
			for i, v := range values {
				if want := tc.want(v); math.Float32bits(got[i]) != math.Float32bits(want) {
					t.Errorf("value %d (%g): got %g, want %g", i, v, got[i], want)
				}
			}
			// Float32Into must agree with Float32.
			dst := make([]float32, len(values))
			if err := f.Float32Into(dst, "w"); err != nil {
				t.Fatal(err)
			}
			for i := range dst {
				if math.Float32bits(dst[i]) != math.Float32bits(got[i]) {
					t.Fatalf("Float32Into[%d] = %g, Float32 gave %g", i, dst[i], got[i])
				}
			}
		})
	}
}

func TestRoundTripMixedTensorsAndMetadata(t *testing.T) {
	step := make([]byte, 8)
	binary.LittleEndian.PutUint64(step, 12345)
	meta := map[string]string{
		"architecture": `{"layers":[{"type":"conv","name":"conv1"}]}`,
		"rng":          "pcg:1:2",
		"odd \"keys\"": "tab\tnewline\n<html>&amp;\x01 ünïcödé ✓",
	}
	tensors := []Tensor{
		{Name: "conv1/kernel", Shape: []int{3, 3, 1, 2}, Values: make([]float32, 18)},
		{Name: "bn_conv1/moving_mean", Shape: []int{3}, Values: []float32{1, 2, 3}, Dtype: F16},
		{Name: "optimizer/step", Dtype: I64, Data: step}, // scalar
		{Name: "mask", Dtype: BOOL, Shape: []int{3}, Data: []byte{1, 0, 1}},
		{Name: "empty", Shape: []int{0, 4}, Values: []float32{}},
	}
	f, _ := writeParse(t, tensors, meta, WithFloatDtype(BF16))

	if got := f.Metadata(); !reflect.DeepEqual(got, meta) {
		t.Errorf("metadata = %q, want %q", got, meta)
	}
	wantNames := []string{"bn_conv1/moving_mean", "conv1/kernel", "empty", "mask", "optimizer/step"}
	if got := f.Names(); !reflect.DeepEqual(got, wantNames) {
		t.Errorf("Names = %q, want %q", got, wantNames)
	}
	for _, tc := range []struct {
		name  string
		dtype Dtype
		shape []int
	}{
		{"conv1/kernel", BF16, []int{3, 3, 1, 2}}, // writer default applies
		{"bn_conv1/moving_mean", F16, []int{3}},   // per-tensor dtype wins
		{"optimizer/step", I64, nil},
		{"mask", BOOL, []int{3}},
		{"empty", BF16, []int{0, 4}},
	} {
		info, ok := f.Tensor(tc.name)
		if !ok || info.Dtype != tc.dtype || !reflect.DeepEqual(info.Shape, tc.shape) {
			t.Errorf("Tensor(%q) = %+v, %v; want dtype %v shape %v", tc.name, info, ok, tc.dtype, tc.shape)
		}
	}
	if raw, err := f.Bytes("optimizer/step"); err != nil || binary.LittleEndian.Uint64(raw) != 12345 {
		t.Errorf("step = %v, %v", raw, err)
	}
	if mm, err := f.Float32("bn_conv1/moving_mean"); err != nil || !reflect.DeepEqual(mm, []float32{1, 2, 3}) {
		t.Errorf("moving_mean = %v, %v", mm, err)
	}
	if e, err := f.Float32("empty"); err != nil || len(e) != 0 {
		t.Errorf("empty = %v, %v", e, err)
	}
	if _, err := f.Float32("mask"); err == nil || !strings.Contains(err.Error(), `"mask"`) {
		t.Errorf("Float32 of a BOOL tensor: err = %v, want an error naming it", err)
	}
	if _, err := f.Float32("nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Float32 of a missing tensor: err = %v, want ErrNotFound", err)
	}
	f.Close()
	if _, err := f.Float32("conv1/kernel"); !errors.Is(err, ErrClosed) {
		t.Errorf("Float32 after Close: err = %v, want ErrClosed", err)
	}
}

// Every tensor must start at a multiple of its element size, whatever mix
// of dtypes and odd lengths is written, so F32/F64 data can be used in place.
func TestWriteAlignsEveryTensor(t *testing.T) {
	tensors := []Tensor{
		{Name: "a", Dtype: U8, Shape: []int{3}, Data: []byte{1, 2, 3}},
		{Name: "b", Dtype: F16, Shape: []int{5}, Values: make([]float32, 5)},
		{Name: "c", Shape: []int{3}, Values: make([]float32, 3)},
		{Name: "d", Dtype: F64, Shape: []int{1}, Values: make([]float32, 1)},
		{Name: "e", Dtype: BF16, Shape: []int{1}, Values: make([]float32, 1)},
		{Name: "f", Shape: []int{7}, Values: make([]float32, 7)},
	}
	f, raw := writeParse(t, tensors, nil)
	hdrLen := binary.LittleEndian.Uint64(raw)
	if (prefixLen+hdrLen)%8 != 0 {
		t.Fatalf("data buffer starts at byte %d, not 8-aligned", prefixLen+hdrLen)
	}
	for _, info := range f.Tensors() {
		if info.Begin%info.Dtype.Size() != 0 {
			t.Errorf("tensor %q (%v) starts at buffer offset %d", info.Name, info.Dtype, info.Begin)
		}
	}
}

func TestWriteIsDeterministic(t *testing.T) {
	a := []Tensor{
		{Name: "z", Shape: []int{2}, Values: []float32{1, 2}},
		{Name: "a", Shape: []int{1}, Values: []float32{3}},
		{Name: "m", Dtype: I32, Shape: []int{1}, Data: []byte{1, 0, 0, 0}},
	}
	b := []Tensor{a[2], a[0], a[1]}
	meta := map[string]string{"b": "2", "a": "1", "c": "3"}
	var x, y bytes.Buffer
	if err := Write(&x, a, meta); err != nil {
		t.Fatal(err)
	}
	if err := Write(&y, b, meta); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(x.Bytes(), y.Bytes()) {
		t.Fatalf("output depends on argument order:\n%q\n%q", x.Bytes(), y.Bytes())
	}
}

func TestWriteRejectsInvalidTensors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		tensors []Tensor
		opts    []Option
		want    string
	}{
		{"duplicate", []Tensor{{Name: "a", Values: []float32{1}}, {Name: "a", Values: []float32{2}}}, nil, "duplicate"},
		{"empty name", []Tensor{{Values: []float32{1}}}, nil, "empty name"},
		{"reserved name", []Tensor{{Name: "__metadata__", Values: []float32{1}}}, nil, "reserved"},
		{"bad utf8", []Tensor{{Name: "a\xff", Values: []float32{1}}}, nil, "UTF-8"},
		{"value count", []Tensor{{Name: "a", Shape: []int{2, 2}, Values: []float32{1}}}, nil, "needs 4 values, got 1"},
		{"data length", []Tensor{{Name: "a", Dtype: I32, Shape: []int{2}, Data: []byte{1}}}, nil, "needs 8 bytes"},
		{"negative dim", []Tensor{{Name: "a", Shape: []int{-1}, Values: []float32{}}}, nil, "negative"},
		{"huge shape", []Tensor{{Name: "a", Shape: []int{1 << 40, 1 << 40}, Values: []float32{}}}, nil, "too large"},
		{"int from floats", []Tensor{{Name: "a", Dtype: I32, Values: []float32{1}}}, nil, "cannot be stored as I32"},
		{"both sources", []Tensor{{Name: "a", Values: []float32{1}, Data: []byte{0, 0, 0, 0}}}, nil, "both"},
		{"invalid dtype", []Tensor{{Name: "a", Dtype: 200, Data: []byte{}}}, nil, "invalid dtype"},
		{"bad float option", []Tensor{{Name: "a", Values: []float32{1}}}, []Option{WithFloatDtype(I8)}, "not a float dtype"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := Write(&buf, tc.tensors, nil, tc.opts...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
			if buf.Len() != 0 {
				t.Fatalf("wrote %d bytes despite the error", buf.Len())
			}
		})
	}
}
