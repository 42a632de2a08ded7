package onnx

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/plan"
)

// fixture is one model of testdata/make_fixtures.py with its input batch
// and PyTorch's output.
type fixture struct {
	name string
	in   *ops.Tensor
	want *ops.Tensor
}

func readF32(t *testing.T, path string, shape []int) *ops.Tensor {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	x := ops.NewTensor(shape...)
	if len(raw) != 4*len(x.Data) {
		t.Fatalf("%s: %d bytes for shape %v", path, len(raw), shape)
	}
	for k := range x.Data {
		x.Data[k] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*k:]))
	}
	return x
}

func loadFixture(t *testing.T, dir, name string) fixture {
	t.Helper()
	var meta struct {
		InputShape  []int `json:"input_shape"`
		OutputShape []int `json:"output_shape"`
	}
	raw, err := os.ReadFile(filepath.Join(dir, name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &meta); err != nil {
		t.Fatal(err)
	}
	return fixture{
		name: name,
		in:   readF32(t, filepath.Join(dir, name+".in.f32"), meta.InputShape),
		want: readF32(t, filepath.Join(dir, name+".out.f32"), meta.OutputShape),
	}
}

// maxRelDiff is max |got − want| / max |want|, the measure.
func maxRelDiff(got, want *ops.Tensor) float64 {
	var diff, scale float64
	for k, w := range want.Data {
		diff = max(diff, math.Abs(float64(got.Data[k])-float64(w)))
		scale = max(scale, math.Abs(float64(w)))
	}
	return diff / scale
}

var smallFixtures = []string{"tiny_resnet_op13", "tiny_resnet_op17", "flatten_head_op11", "flatten_head_op17",
	"tiny_mobilenet_v2_op13", "tiny_mobilenet_v3_op13", "tiny_mobilenet_v3_op17", "tiny_efficientnet_op17", "tiny_convnext_op17",
	"tiny_shufflenet_op11", "tiny_shufflenet_op13"}

// TestFixturesMatchPyTorch runs the committed models through the graph and
// the compiled plan and compares with PyTorch's logits.
func TestFixturesMatchPyTorch(t *testing.T) {
	for _, name := range smallFixtures {
		t.Run(name, func(t *testing.T) {
			f := loadFixture(t, "testdata", name)
			m, err := Load(filepath.Join("testdata", name+".onnx"), Options{})
			if err != nil {
				t.Fatal(err)
			}
			y, err := m.Forward(f.in)
			if err != nil {
				t.Fatal(err)
			}
			if !y.Shape.Equal(f.want.Shape) {
				t.Fatalf("graph output shape %v, want %v", y.Shape, f.want.Shape)
			}
			if d := maxRelDiff(y, f.want); d > 1e-4 {
				t.Errorf("graph: max |simdnet − PyTorch| / max |PyTorch| = %.3g, want ≤ 1e-4", d)
			} else {
				t.Logf("graph: %.3g", d)
			}
			p, err := m.Compile(plan.Options{})
			if err != nil {
				t.Fatal(err)
			}
			y, err = p.Forward(f.in)
			if err != nil {
				t.Fatal(err)
			}
			if d := maxRelDiff(y, f.want); d > 1e-4 {
				t.Errorf("plan: max |simdnet − PyTorch| / max |PyTorch| = %.3g, want ≤ 1e-4", d)
			} else {
				t.Logf("plan: %.3g", d)
			}
		})
	}
}

// TestChannelsLast feeds the fixture's batch in NHWC to a model loaded
// with Options.ChannelsLast and expects PyTorch's logits all the same.
func TestChannelsLast(t *testing.T) {
	const name = "tiny_resnet_op17"
	f := loadFixture(t, "testdata", name)
	m, err := Load(filepath.Join("testdata", name+".onnx"), Options{ChannelsLast: true})
	if err != nil {
		t.Fatal(err)
	}
	n, c, h, w := f.in.Shape[0], f.in.Shape[1], f.in.Shape[2], f.in.Shape[3]
	if got := ops.Shape(m.InputShape()); !got.Equal(ops.Shape{h, w, c}) {
		t.Fatalf("InputShape %v, want (%d, %d, %d)", got, h, w, c)
	}
	x := ops.NewTensor(n, h, w, c)
	nchwToNHWC(x.Data, f.in.Data, n, c, h*w)
	y, err := m.Forward(x)
	if err != nil {
		t.Fatal(err)
	}
	if d := maxRelDiff(y, f.want); d > 1e-4 {
		t.Errorf("max |simdnet − PyTorch| / max |PyTorch| = %.3g", d)
	}
	if _, err := m.Forward(f.in); err == nil {
		t.Error("an NCHW batch was accepted by a channels-last model")
	}
}

// TestInputShapeOption runs a fixture at another image size (fully
// convolutional up to its global pooling) and checks the shapes.
func TestInputShapeOption(t *testing.T) {
	m, err := Load(filepath.Join("testdata", "tiny_resnet_op13.onnx"), Options{InputShape: []int{3, 48, 40}})
	if err != nil {
		t.Fatal(err)
	}
	y, err := m.Forward(ops.NewTensor(1, 3, 48, 40))
	if err != nil {
		t.Fatal(err)
	}
	if !y.Shape.Equal(ops.Shape{1, 10}) {
		t.Fatalf("output shape %v, want (1, 10)", y.Shape)
	}
}
