package simdnet

import (
	"encoding/binary"
	"image"
	"image/color"
	"math"
	"os"
	"testing"

	"github.com/simdnet/simdnet/ops"
)

func readFloats(t *testing.T, path string) []float32 {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float32, len(raw)/4)
	for k := range out {
		out[k] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*k:]))
	}
	return out
}

// TestLoadONNX loads an exported torchvision-style model through Load and
// checks the plan's probabilities against the softmax of PyTorch's logits.
func TestLoadONNX(t *testing.T) {
	const base = "onnx/testdata/tiny_resnet_op13"
	m, err := Load(base + ".onnx")
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if got := m.Config().InputShape; got != [3]int{32, 32, 3} || m.Config().Classes != 10 {
		t.Fatalf("config %+v, want a 32×32×3 input and 10 classes", m.Config())
	}
	nchw, logits := readFloats(t, base+".in.f32"), readFloats(t, base+".out.f32")
	const n, c, hw = 4, 3, 32 * 32
	x := ops.NewTensor(n, 32, 32, 3)
	for b := range n {
		for ch := range c {
			for p := range hw {
				x.Data[(b*hw+p)*c+ch] = nchw[(b*c+ch)*hw+p]
			}
		}
	}
	y := ops.NewTensor(n, 10)
	if err := m.Plan().Run(y, x); err != nil {
		t.Fatal(err)
	}
	for b := range n {
		row := logits[b*10 : (b+1)*10]
		var sum float64
		for _, v := range row {
			sum += math.Exp(float64(v))
		}
		for k, v := range row {
			want := math.Exp(float64(v)) / sum
			if d := math.Abs(float64(y.Data[b*10+k]) - want); d > 1e-6 {
				t.Fatalf("probability [%d][%d] = %v, want %v", b, k, y.Data[b*10+k], want)
			}
		}
	}
	img := image.NewRGBA(image.Rect(0, 0, 40, 24))
	for k := range img.Pix {
		img.Pix[k] = uint8(k * 37)
	}
	img.Set(0, 0, color.White)
	top, err := m.Predict(img)
	if err != nil {
		t.Fatal(err)
	}
	var total float64
	for _, p := range top {
		total += float64(p.Probability)
	}
	if len(top) != 10 || math.Abs(total-1) > 1e-5 || top[0].Probability < top[9].Probability {
		t.Fatalf("Predict gave %d classes summing to %v: %v", len(top), total, top)
	}
}
