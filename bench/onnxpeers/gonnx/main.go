// Command gonnx times github.com/advancedclimatesystems/gonnx v1.1.0 on
// .onnx files (see package bench/onnxpeer):
//
//	cd bench/onnxpeers/gonnx && go run . --batch 1 FILE.onnx...
package main

import (
	"fmt"

	"github.com/advancedclimatesystems/gonnx"
	"gorgonia.org/tensor"

	"github.com/simdnet/simdnet/bench/onnxpeer"
)

func main() {
	onnxpeer.Main("gonnx v1.1.0", func(file string, x []float32, shape []int) (func() error, error) {
		m, err := gonnx.NewModelFromFile(file)
		if err != nil {
			return nil, err
		}
		names := m.InputNames()
		if len(names) != 1 {
			return nil, fmt.Errorf("%d inputs", len(names))
		}
		in := gonnx.Tensors{names[0]: tensor.New(tensor.WithShape(shape...), tensor.WithBacking(x))}
		return func() error {
			_, err := m.Run(in)
			return err
		}, nil
	})
}
