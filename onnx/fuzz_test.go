package onnx

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/plan"
)

// FuzzONNX feeds arbitrary bytes to LoadBytes. It must never panic; every
// failure must be an *Error or an *UnsupportedError; and an accepted model
// must run a small batch (or refuse it with an error), through the graph
// and the compiled plan.
func FuzzONNX(f *testing.F) {
	f.Add(marshal(f, convModel()))
	// The smaller fixtures: the fuzzer minimises every new input, which
	// takes long for the 100 KB ones.
	for _, name := range []string{"tiny_resnet_op13", "tiny_resnet_op17", "flatten_head_op11", "flatten_head_op17"} {
		data, err := os.ReadFile(filepath.Join("testdata", name+".onnx"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := LoadBytes("fuzz.onnx", data, Options{})
		if err != nil {
			var e *Error
			var ue *UnsupportedError
			if !errors.As(err, &e) && !errors.As(err, &ue) {
				t.Fatalf("error %v (%T) is neither an *Error nor an *UnsupportedError", err, err)
			}
			return
		}
		// Run only models whose activations are small: a valid file may
		// well ask for a lot of work.
		work := 0
		for _, n := range m.Graph.Nodes() {
			if work += n.Shape.Len() * (1 + len(n.Layer.Params())); work > 1<<16 {
				return
			}
		}
		shape := append([]int{1}, m.InputShape()...)
		x := ops.NewTensor(shape...)
		for k := range x.Data {
			x.Data[k] = float32(k%7) - 3
		}
		if _, err := m.Forward(x); err != nil {
			return
		}
		if p, err := m.Compile(plan.Options{}); err == nil {
			p.Forward(x)
		}
	})
}
