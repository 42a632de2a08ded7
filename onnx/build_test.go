package onnx

import (
	"encoding/binary"
	"math"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/simdnet/simdnet/onnx/internal/onnxpb"
)

// Helpers that assemble small ONNX models in memory for the tests.

func tensorInfo(name string, elem int32, dims ...any) *onnxpb.ValueInfoProto {
	shape := &onnxpb.TensorShapeProto{}
	for _, d := range dims {
		dim := &onnxpb.TensorShapeProto_Dimension{}
		switch v := d.(type) {
		case int:
			dim.Value = &onnxpb.TensorShapeProto_Dimension_DimValue{DimValue: int64(v)}
		case string:
			dim.Value = &onnxpb.TensorShapeProto_Dimension_DimParam{DimParam: v}
		}
		shape.Dim = append(shape.Dim, dim)
	}
	return &onnxpb.ValueInfoProto{Name: proto.String(name), Type: &onnxpb.TypeProto{
		Value: &onnxpb.TypeProto_TensorType{TensorType: &onnxpb.TypeProto_Tensor{ElemType: proto.Int32(elem), Shape: shape}},
	}}
}

func floatInit(name string, dims []int64, vals []float32) *onnxpb.TensorProto {
	raw := make([]byte, 0, 4*len(vals))
	for _, v := range vals {
		raw = binary.LittleEndian.AppendUint32(raw, math.Float32bits(v))
	}
	return &onnxpb.TensorProto{Name: proto.String(name), Dims: dims, DataType: proto.Int32(dtFloat), RawData: raw}
}

func intInit(name string, vals ...int64) *onnxpb.TensorProto {
	return &onnxpb.TensorProto{Name: proto.String(name), Dims: []int64{int64(len(vals))}, DataType: proto.Int32(dtInt64), Int64Data: vals}
}

func node(op, name string, in, out []string, at ...*onnxpb.AttributeProto) *onnxpb.NodeProto {
	return &onnxpb.NodeProto{OpType: proto.String(op), Name: proto.String(name), Input: in, Output: out, Attribute: at}
}

func intsAttr(name string, v ...int64) *onnxpb.AttributeProto {
	return &onnxpb.AttributeProto{Name: proto.String(name), Type: onnxpb.AttributeProto_INTS.Enum(), Ints: v}
}

func intAttr(name string, v int64) *onnxpb.AttributeProto {
	return &onnxpb.AttributeProto{Name: proto.String(name), Type: onnxpb.AttributeProto_INT.Enum(), I: proto.Int64(v)}
}

func modelProto(opset int64, in, out *onnxpb.ValueInfoProto, init []*onnxpb.TensorProto, nodes ...*onnxpb.NodeProto) *onnxpb.ModelProto {
	return &onnxpb.ModelProto{
		IrVersion:   proto.Int64(8),
		OpsetImport: []*onnxpb.OperatorSetIdProto{{Domain: proto.String(""), Version: proto.Int64(opset)}},
		Graph: &onnxpb.GraphProto{Name: proto.String("g"), Node: nodes, Initializer: init,
			Input: []*onnxpb.ValueInfoProto{in}, Output: []*onnxpb.ValueInfoProto{out}},
	}
}

func marshal(t testing.TB, m *onnxpb.ModelProto) []byte {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// convModel is a 1-filter 3×3 convolution of a 2-channel 5×5 image, then a
// ReLU: the base the hostile variants change.
func convModel() *onnxpb.ModelProto {
	w := make([]float32, 18)
	for k := range w {
		w[k] = float32(k%5) - 2
	}
	return modelProto(13,
		tensorInfo("x", dtFloat, "N", 2, 5, 5), tensorInfo("y", dtFloat, "N", 1, 5, 5),
		[]*onnxpb.TensorProto{floatInit("w", []int64{1, 2, 3, 3}, w)},
		node("Conv", "conv", []string{"x", "w"}, []string{"c"}, intsAttr("pads", 1, 1, 1, 1)),
		node("Relu", "relu", []string{"c"}, []string{"y"}),
	)
}
