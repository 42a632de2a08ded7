package onnx

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/simdnet/simdnet/onnx/internal/onnxpb"
	"github.com/simdnet/simdnet/ops"
)

func TestConvModelAgainstDirectSum(t *testing.T) {
	mp := convModel()
	m, err := LoadBytes("conv.onnx", marshal(t, mp), Options{})
	if err != nil {
		t.Fatal(err)
	}
	x := ops.NewTensor(2, 2, 5, 5)
	for k := range x.Data {
		x.Data[k] = float32((k*7)%11) - 5
	}
	y, err := m.Forward(x)
	if err != nil {
		t.Fatal(err)
	}
	dec, err := decodeTensor(mp.Graph.Initializer[0], noExternal)
	if err != nil {
		t.Fatal(err)
	}
	wt := dec.f
	for n := range 2 {
		for oy := range 5 {
			for ox := range 5 {
				var s float64
				for c := range 2 {
					for ky := range 3 {
						for kx := range 3 {
							iy, ix := oy+ky-1, ox+kx-1
							if iy < 0 || iy >= 5 || ix < 0 || ix >= 5 {
								continue
							}
							s += float64(x.Data[((n*2+c)*5+iy)*5+ix]) * float64(wt[(c*3+ky)*3+kx])
						}
					}
				}
				got := y.Data[(n*5+oy)*5+ox]
				if want := float32(max(s, 0)); got != want {
					t.Fatalf("y[%d,0,%d,%d] = %v, want %v", n, oy, ox, got, want)
				}
			}
		}
	}
}

func TestHostileFiles(t *testing.T) {
	valid := marshal(t, convModel())
	for _, tc := range []struct {
		name   string
		data   []byte
		change func(m *onnxpb.ModelProto)
		want   []string // fragments of the message
	}{
		{name: "garbage", data: []byte("\xff\xff\xff\xff not protobuf"), want: []string{"not an ONNX model"}},
		{name: "truncated", data: valid[:len(valid)/2], want: []string{"not an ONNX model"}},
		{name: "empty", data: []byte{}, want: []string{"holds no graph"}},
		{name: "old opset", change: func(m *onnxpb.ModelProto) { m.OpsetImport[0].Version = proto.Int64(9) }, want: []string{"opset 9 is not supported"}},
		{name: "no opset", change: func(m *onnxpb.ModelProto) { m.OpsetImport = nil }, want: []string{"imports no opset"}},
		{name: "cycle", change: func(m *onnxpb.ModelProto) {
			g := m.Graph
			g.Node[0].Input[0] = "z"
			g.Node = append(g.Node, node("Relu", "back", []string{"y"}, []string{"z"}))
		}, want: []string{"lies on a cycle"}},
		{name: "self loop", change: func(m *onnxpb.ModelProto) { m.Graph.Node[1].Input[0] = "y" }, want: []string{`node "relu" (Relu)`, "reads its own output"}},
		{name: "missing initializer", change: func(m *onnxpb.ModelProto) { m.Graph.Initializer = nil }, want: []string{`node "conv" (Conv)`, `input "w" is neither`}},
		{name: "lying raw length", change: func(m *onnxpb.ModelProto) {
			m.Graph.Initializer[0].RawData = m.Graph.Initializer[0].RawData[:20]
		}, want: []string{`initializer "w"`, "20 bytes of data"}},
		{name: "dims overflow", change: func(m *onnxpb.ModelProto) {
			m.Graph.Initializer[0].Dims = []int64{1 << 40, 1 << 40, 1 << 40, 3}
		}, want: []string{`initializer "w"`, "more than"}},
		{name: "negative dim", change: func(m *onnxpb.ModelProto) {
			m.Graph.Initializer[0].Dims = []int64{1, -2, 3, 3}
		}, want: []string{`initializer "w"`, "negative dimension"}},
		{name: "float_data count", change: func(m *onnxpb.ModelProto) {
			i := m.Graph.Initializer[0]
			i.RawData, i.FloatData = nil, []float32{1, 2}
		}, want: []string{`initializer "w"`, "2 values"}},
		{name: "huge input", change: func(m *onnxpb.ModelProto) {
			m.Graph.Input[0] = tensorInfo("x", dtFloat, "N", 2, 1<<40, 5)
		}, want: []string{`input "x"`, "axis 2"}},
		{name: "input overflows", change: func(m *onnxpb.ModelProto) {
			m.Graph.Input[0] = tensorInfo("x", dtFloat, "N", 60000, 60000, 60000)
		}, want: []string{`input "x"`, "more than"}},
		{name: "symbolic size", change: func(m *onnxpb.ModelProto) {
			m.Graph.Input[0] = tensorInfo("x", dtFloat, "N", 2, "H", "W")
		}, want: []string{`input "x"`, `"H"`, "Options.InputShape"}},
		{name: "int input", change: func(m *onnxpb.ModelProto) {
			m.Graph.Input[0] = tensorInfo("x", dtInt64, "N", 2, 5, 5)
		}, want: []string{`input "x"`, "not a float32"}},
		{name: "wrong channels", change: func(m *onnxpb.ModelProto) {
			m.Graph.Input[0] = tensorInfo("x", dtFloat, "N", 3, 5, 5)
		}, want: []string{`node "conv" (Conv)`, "3 input channels"}},
		{name: "two outputs", change: func(m *onnxpb.ModelProto) {
			m.Graph.Output = append(m.Graph.Output, tensorInfo("c", dtFloat, "N", 1, 5, 5))
		}, want: []string{"2 outputs"}},
		{name: "duplicate output", change: func(m *onnxpb.ModelProto) { m.Graph.Node[1].Output[0] = "c" }, want: []string{"computed twice"}},
		{name: "kernel bigger than image", change: func(m *onnxpb.ModelProto) {
			m.Graph.Node[0].Attribute = nil
			m.Graph.Input[0] = tensorInfo("x", dtFloat, "N", 2, 2, 2)
		}, want: []string{`node "conv" (Conv)`}},
		{name: "attribute of wrong type", change: func(m *onnxpb.ModelProto) {
			m.Graph.Node[0].Attribute = []*onnxpb.AttributeProto{intAttr("pads", 1)}
		}, want: []string{`node "conv" (Conv)`, "attribute \"pads\""}},
		{name: "huge pads", change: func(m *onnxpb.ModelProto) {
			m.Graph.Node[0].Attribute = []*onnxpb.AttributeProto{intsAttr("pads", 1<<62, 0, 1<<62, 0)}
		}, want: []string{`node "conv" (Conv)`, "pads"}},
		{name: "external data outside the directory", change: func(m *onnxpb.ModelProto) {
			i := m.Graph.Initializer[0]
			i.RawData = nil
			i.DataLocation = onnxpb.TensorProto_EXTERNAL.Enum()
			i.ExternalData = []*onnxpb.StringStringEntryProto{{Key: proto.String("location"), Value: proto.String("../../etc/passwd")}}
		}, want: []string{`initializer "w"`, "not a path inside the model's directory"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := tc.data
			if tc.change != nil {
				m := convModel()
				tc.change(m)
				data = marshal(t, m)
			}
			_, err := LoadBytes("bad.onnx", data, Options{})
			if err == nil {
				t.Fatal("loaded")
			}
			msg := err.Error()
			for _, w := range append([]string{"bad.onnx"}, tc.want...) {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not contain %q", msg, w)
				}
			}
		})
	}
}

func TestUnsupportedNodesListedTogether(t *testing.T) {
	m := convModel()
	g := m.Graph
	g.Node[0].Attribute = append(g.Node[0].Attribute, &onnxpb.AttributeProto{Name: proto.String("auto_pad"), Type: onnxpb.AttributeProto_STRING.Enum(), S: []byte("CIRCULAR")})
	g.Node = append(g.Node,
		node("LSTM", "rnn", []string{"y"}, []string{"r"}),
		&onnxpb.NodeProto{OpType: proto.String("FusedConv"), Domain: proto.String("com.microsoft"), Name: proto.String("ms"), Input: []string{"r"}, Output: []string{"s"}},
		node("MaxPool", "pool", []string{"s"}, []string{"t"}, intsAttr("kernel_shape", 2, 2), intAttr("weird", 1)),
	)
	_, err := LoadBytes("many.onnx", marshal(t, m), Options{})
	var ue *UnsupportedError
	if !errors.As(err, &ue) {
		t.Fatalf("error %v is not an *UnsupportedError", err)
	}
	if len(ue.Nodes) != 4 {
		t.Fatalf("%d nodes listed, want 4:\n%v", len(ue.Nodes), err)
	}
	for _, w := range []string{`"conv" (Conv, opset 13): auto_pad "CIRCULAR"`, `"rnn" (LSTM, opset 13): operator not supported`, `com.microsoft.FusedConv`, `"pool" (MaxPool, opset 13): attribute(s) weird`} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not contain %q", err, w)
		}
	}
}

// TestUnsupportedInContext lists nodes whose operator is known but whose
// inputs simdnet cannot lower yet, all of them, skipping what they feed.
func TestUnsupportedInContext(t *testing.T) {
	m := convModel()
	g := m.Graph
	g.Initializer = append(g.Initializer, floatInit("k", []int64{1}, []float32{2}))
	g.Node[1].Input[0] = "m"
	g.Node = append(g.Node[:1], append([]*onnxpb.NodeProto{
		node("Div", "scale", []string{"k", "c"}, []string{"m0"}),
		node("Relu", "after", []string{"m0"}, []string{"m1"}),
		node("Sub", "shift", []string{"m1", "k"}, []string{"m"}),
	}, g.Node[1:]...)...)
	_, err := LoadBytes("ctx.onnx", marshal(t, m), Options{})
	var ue *UnsupportedError
	if !errors.As(err, &ue) || len(ue.Nodes) != 1 || ue.Nodes[0].Node != "scale" {
		t.Fatalf("got %v, want one unsupported node, scale (what it feeds is skipped)", err)
	}
}

func TestExternalData(t *testing.T) {
	dir := t.TempDir()
	m := convModel()
	init := m.Graph.Initializer[0]
	raw := init.RawData
	if err := os.WriteFile(filepath.Join(dir, "w.bin"), append(make([]byte, 16), raw...), 0o644); err != nil {
		t.Fatal(err)
	}
	ext := func(kv ...string) {
		init.RawData = nil
		init.DataLocation = onnxpb.TensorProto_EXTERNAL.Enum()
		init.ExternalData = nil
		for k := 0; k < len(kv); k += 2 {
			init.ExternalData = append(init.ExternalData, &onnxpb.StringStringEntryProto{Key: proto.String(kv[k]), Value: proto.String(kv[k+1])})
		}
	}
	write := func() string {
		p := filepath.Join(dir, "m.onnx")
		if err := os.WriteFile(p, marshal(t, m), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ext("location", "w.bin", "offset", "16", "length", "72")
	got, err := Load(write(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want, err := LoadBytes("inline", marshal(t, convModel()), Options{})
	if err != nil {
		t.Fatal(err)
	}
	gk := got.Graph.Layer("conv").Params()[0].Value
	wk := want.Graph.Layer("conv").Params()[0].Value
	for k := range wk {
		if gk[k] != wk[k] {
			t.Fatalf("kernel[%d] = %v from external data, %v inline", k, gk[k], wk[k])
		}
	}
	if err := os.Symlink("/etc/hostname", filepath.Join(dir, "link.bin")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		kv   []string
		want string
	}{
		{[]string{"location", "w.bin", "offset", "40"}, "run past its end"},
		{[]string{"location", "w.bin", "offset", "9223372036854775807"}, "run past its end"},
		{[]string{"location", "w.bin", "offset", "-1"}, "negative"},
		{[]string{"location", "w.bin", "length", "1000000000000"}, "length 1000000000000"},
		{[]string{"location", "w.bin", "offset", "x"}, "not an integer"},
		{[]string{"location", "absent.bin"}, "absent.bin"},
		{[]string{"location", "/etc/passwd"}, "not a path inside"},
		{[]string{"location", "link.bin"}, "outside the model's directory"},
		{[]string{"offset", "0"}, "without a location"},
	} {
		ext(tc.kv...)
		_, err := Load(write(), Options{})
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), `initializer "w"`) {
			t.Errorf("external data %v: error %v, want one naming initializer \"w\" with %q", tc.kv, err, tc.want)
		}
	}
}

// TestChannelConstants checks arithmetic with a per-channel constant and a
// scalar against direct evaluation: (c_k − relu(conv)) · s_k / 2 + 1.
func TestChannelConstants(t *testing.T) {
	mp := convModel()
	g := mp.Graph
	g.Initializer = append(g.Initializer,
		floatInit("off", []int64{1, 1, 1}, []float32{0.5}),
		floatInit("s", []int64{1, 1, 1, 1}, []float32{-3}),
		floatInit("two", nil, []float32{2}),
		floatInit("one", []int64{1}, []float32{1}))
	g.Node[1].Output[0] = "r"
	g.Node = append(g.Node,
		node("Sub", "sub", []string{"off", "r"}, []string{"a"}),
		node("Mul", "mul", []string{"a", "s"}, []string{"b"}),
		node("Div", "div", []string{"b", "two"}, []string{"c2"}),
		node("Add", "add", []string{"one", "c2"}, []string{"y"}))
	m, err := LoadBytes("affine.onnx", marshal(t, mp), Options{})
	if err != nil {
		t.Fatal(err)
	}
	ref, err := LoadBytes("conv.onnx", marshal(t, convModel()), Options{})
	if err != nil {
		t.Fatal(err)
	}
	x := ops.NewTensor(1, 2, 5, 5)
	for k := range x.Data {
		x.Data[k] = float32(k%9) - 4
	}
	got, err := m.Forward(x)
	if err != nil {
		t.Fatal(err)
	}
	r, err := ref.Forward(x)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range r.Data {
		want := (0.5-float64(v))*-3/2 + 1
		if d := float64(got.Data[k]) - want; d > 1e-5 || d < -1e-5 {
			t.Fatalf("y[%d] = %v, want %v", k, got.Data[k], want)
		}
	}
}

// TestPlainReshapes runs Unsqueeze, Reshape and Squeeze on a matrix
// around a softmax over rows of 3, against direct evaluation.
func TestPlainReshapes(t *testing.T) {
	mp := modelProto(13, tensorInfo("x", dtFloat, "N", 6), tensorInfo("y", dtFloat, "N", 6),
		[]*onnxpb.TensorProto{intInit("ax", 1), intInit("ax2", 2), intInit("to", 0, 2, 1, 3), intInit("back", -1, 6)},
		node("Unsqueeze", "u", []string{"x", "ax"}, []string{"a"}),
		node("Reshape", "r", []string{"a", "to"}, []string{"b"}),
		node("Squeeze", "s", []string{"b", "ax2"}, []string{"c"}),
		node("Softmax", "sm", []string{"c"}, []string{"d"}),
		node("Reshape", "r2", []string{"d", "back"}, []string{"y"}))
	m, err := LoadBytes("reshape.onnx", marshal(t, mp), Options{})
	if err != nil {
		t.Fatal(err)
	}
	x := ops.NewTensor(2, 6)
	for k := range x.Data {
		x.Data[k] = float32(k*k%7) / 3
	}
	y, err := m.Forward(x)
	if err != nil {
		t.Fatal(err)
	}
	for row := range 4 {
		v := x.Data[3*row : 3*row+3]
		var sum float64
		for _, e := range v {
			sum += math.Exp(float64(e))
		}
		for k, e := range v {
			want := math.Exp(float64(e)) / sum
			if d := math.Abs(float64(y.Data[3*row+k]) - want); d > 1e-6 {
				t.Fatalf("y[%d] = %v, want %v", 3*row+k, y.Data[3*row+k], want)
			}
		}
	}
}

// TestHostileFolding feeds shape arithmetic that lies or overflows; each
// must fail naming the node.
func TestHostileFolding(t *testing.T) {
	base := func(extra []*onnxpb.TensorProto, nodes ...*onnxpb.NodeProto) []byte {
		m := convModel()
		g := m.Graph
		g.Initializer = append(g.Initializer, extra...)
		g.Node[1].Output[0] = "r"
		g.Node = append(g.Node, nodes...)
		return marshal(t, m)
	}
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"gather out of range", base([]*onnxpb.TensorProto{intInit("i", 7)},
			node("Shape", "shape", []string{"r"}, []string{"s"}),
			node("Gather", "gather", []string{"s", "i"}, []string{"g"}),
			node("Reshape", "reshape", []string{"r", "g"}, []string{"y"})), `node "gather" (Gather): index 7 is out of range`},
		{"constant of a huge shape", base([]*onnxpb.TensorProto{intInit("big", 1<<40, 1<<40)},
			node("ConstantOfShape", "fill", []string{"big"}, []string{"f"}),
			node("Add", "add", []string{"r", "f"}, []string{"y"})), `node "fill" (ConstantOfShape)`},
		{"reshape that overflows", base([]*onnxpb.TensorProto{intInit("to", 0, 1<<40, 1<<40, 1<<40)},
			node("Reshape", "reshape", []string{"r", "to"}, []string{"y"})), `node "reshape" (Reshape)`},
		{"reshape that loses elements", base([]*onnxpb.TensorProto{intInit("to", 0, 7)},
			node("Reshape", "reshape", []string{"r", "to"}, []string{"y"})), `cannot reshape`},
		{"batch arithmetic", base([]*onnxpb.TensorProto{intInit("two", 2), intInit("zero", 0)},
			node("Shape", "shape", []string{"r"}, []string{"s"}),
			node("Gather", "gather", []string{"s", "zero"}, []string{"n"}),
			node("Mul", "double", []string{"n", "two"}, []string{"n2"}),
			node("Concat", "cat", []string{"n2"}, []string{"t"}, intAttr("axis", 0)),
			node("Reshape", "reshape", []string{"r", "t"}, []string{"y"})), `node "reshape" (Reshape, opset 13): target [?] does not keep the batch axis`},
		{"slice with a zero step", base([]*onnxpb.TensorProto{intInit("z", 0), intInit("one", 1)},
			node("Shape", "shape", []string{"r"}, []string{"s"}),
			node("Slice", "slice", []string{"s", "z", "one", "z", "z"}, []string{"y"})), `node "slice" (Slice)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadBytes("fold.onnx", tc.data, Options{})
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "fold.onnx") {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// TestSplitAndSlice runs Split and Slice of computed tensors along the
// channels and the height of an image (ShuffleNetV2's chunk, negative and
// clamped bounds) against direct indexing of the input.
func TestSplitAndSlice(t *testing.T) {
	mp := modelProto(13, tensorInfo("x", dtFloat, "N", 4, 3, 3), tensorInfo("y", dtFloat, "N", 3, 2, 3),
		[]*onnxpb.TensorProto{intInit("sizes", 1, 3), intInit("s0", -2), intInit("e0", 1<<40), intInit("a1", 1),
			intInit("s1", 0), intInit("e1", 2), intInit("a2", 2)},
		node("Relu", "relu", []string{"x"}, []string{"r"}),
		node("Split", "split", []string{"r", "sizes"}, []string{"p", "q"}, intAttr("axis", 1)),
		node("Slice", "channels", []string{"q", "s0", "e0", "a1"}, []string{"q2"}),
		node("Concat", "concat", []string{"p", "q2"}, []string{"c"}, intAttr("axis", 1)),
		node("Slice", "rows", []string{"c", "s1", "e1", "a2"}, []string{"y"}))
	m, err := LoadBytes("slice.onnx", marshal(t, mp), Options{})
	if err != nil {
		t.Fatal(err)
	}
	x := ops.NewTensor(2, 4, 3, 3)
	for k := range x.Data {
		x.Data[k] = float32(k%11) - 3
	}
	y, err := m.Forward(x)
	if err != nil {
		t.Fatal(err)
	}
	// Output channel 0 is input channel 0; 1 and 2 are input channels 2, 3.
	src := []int{0, 2, 3}
	for n := range 2 {
		for c := range 3 {
			for h := range 2 {
				for w := range 3 {
					want := max(x.Data[((n*4+src[c])*3+h)*3+w], 0)
					if got := y.Data[((n*3+c)*2+h)*3+w]; got != want {
						t.Fatalf("y[%d][%d][%d][%d] = %v, want %v", n, c, h, w, got, want)
					}
				}
			}
		}
	}

	for _, tc := range []struct {
		name string
		edit func(g *onnxpb.GraphProto)
		want string
	}{
		{"sizes", func(g *onnxpb.GraphProto) { g.Initializer[0] = intInit("sizes", 2, 3) }, `node "split" (Split): split sizes [2 3] add to 5, axis 1 has 4 values`},
		{"outputs", func(g *onnxpb.GraphProto) { g.Initializer[0] = intInit("sizes", 1, 1, 2) }, `3 split sizes for 2 outputs`},
		{"step", func(g *onnxpb.GraphProto) {
			g.Initializer = append(g.Initializer, intInit("st", 2))
			g.Node[2].Input = append(g.Node[2].Input, "st")
		}, `"channels" (Slice, opset 13): step 2`},
		{"empty", func(g *onnxpb.GraphProto) { g.Initializer[5] = intInit("e1", 0) }, `"rows" (Slice, opset 13): an empty slice`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := proto.Clone(mp).(*onnxpb.ModelProto)
			tc.edit(bad.Graph)
			_, err := LoadBytes("bad.onnx", marshal(t, bad), Options{})
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "bad.onnx") {
				t.Fatalf("error %v, want one naming bad.onnx and %q", err, tc.want)
			}
		})
	}
}
