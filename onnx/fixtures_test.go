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
	"tiny_mobilenet_v2_op13", "tiny_mobilenet_v3_op13", "tiny_mobilenet_v3_op17", "tiny_efficientnet_op17", "tiny_convnext_op17"}

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
