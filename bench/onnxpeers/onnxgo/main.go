// Command onnxgo times github.com/owulveryck/onnx-go v0.5.0 with its
// gorgonia backend (gorgonnx) on .onnx files (see package bench/onnxpeer):
//
//	cd bench/onnxpeers/onnxgo && go run . --batch 1 FILE.onnx...
package main

import (
	"os"

	onnxgo "github.com/owulveryck/onnx-go"
	"github.com/owulveryck/onnx-go/backend/x/gorgonnx"
	"gorgonia.org/tensor"

	"github.com/simdnet/simdnet/bench/onnxpeer"
)

func main() {
	onnxpeer.Main("onnx-go v0.5.0 (gorgonnx)", func(file string, x []float32, shape []int) (func() error, error) {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		backend := gorgonnx.NewGraph()
		m := onnxgo.NewModel(backend)
		if err := m.UnmarshalBinary(b); err != nil {
			return nil, err
		}
		in := tensor.New(tensor.WithShape(shape...), tensor.WithBacking(x))
		return func() error {
			if err := m.SetInput(0, in); err != nil {
				return err
			}
			return backend.Run()
		}, nil
	})
}
