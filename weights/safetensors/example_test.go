package safetensors_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/simdnet/simdnet/weights/safetensors"
)

// Saving a model's weights in half precision with its architecture in the
// metadata, then loading them back.
func Example() {
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "model.safetensors")

	err = safetensors.WriteFile(path, []safetensors.Tensor{
		{Name: "dense/kernel", Shape: []int{2, 2}, Values: []float32{0.5, -1, 2, 0.1}},
		{Name: "dense/bias", Shape: []int{2}, Values: []float32{0, 1}, Dtype: safetensors.F32}, // keep full precision
	}, map[string]string{"architecture": `{"layers":[{"type":"dense","units":2}]}`},
		safetensors.WithFloatDtype(safetensors.F16))
	if err != nil {
		log.Fatal(err)
	}

	f, err := safetensors.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	fmt.Println(f.Metadata()["architecture"])
	for _, t := range f.Tensors() {
		values, err := f.Float32(t.Name)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(t.Name, t.Dtype, t.Shape, values)
	}
	// Output:
	// {"layers":[{"type":"dense","units":2}]}
	// dense/bias F32 [2] [0 1]
	// dense/kernel F16 [2 2] [0.5 -1 2 0.099975586]
}
