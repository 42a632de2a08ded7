package simdnet_test

import (
	"fmt"
	"image"
	"image/color"
	"log"
	"os"
	"path/filepath"

	"github.com/simdnet/simdnet"
	"github.com/simdnet/simdnet/resnet"
	"github.com/simdnet/simdnet/weights"
)

// Example saves a freshly initialised ResNet8 for the six SIGNS classes,
// loads it as a program would, and classifies a photo of any size. A real
// program loads the file "simdnet train" wrote, or one embedded with
// go:embed through LoadBytes.
func Example() {
	dir, err := os.MkdirTemp("", "simdnet-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "signs.safetensors")
	cfg := resnet.Config{Arch: "resnet8", InputShape: resnet.SignsInput, Classes: 6}
	g, err := cfg.Build()
	if err != nil {
		log.Fatal(err)
	}
	classes := []string{"zero", "one", "two", "three", "four", "five"}
	if err := weights.Save(path, g, weights.WithArch(cfg), weights.WithClasses(classes...)); err != nil {
		log.Fatal(err)
	}

	m, err := simdnet.Load(path)
	if err != nil {
		log.Fatal(err)
	}
	photo := image.NewRGBA(image.Rect(0, 0, 480, 360)) // resized to 64×64 for the model
	for i := range photo.Pix {
		photo.Pix[i] = uint8(i * 7)
	}
	photo.Set(0, 0, color.White)
	top, err := m.Predict(photo)
	if err != nil {
		log.Fatal(err)
	}
	var sum float32
	for _, p := range top {
		sum += p.Probability
	}
	fmt.Printf("%d classes, most probable first: %v\n", len(top), top[0].Probability >= top[len(top)-1].Probability)
	fmt.Printf("probabilities sum to %.2f\n", sum)
	// Output:
	// 6 classes, most probable first: true
	// probabilities sum to 1.00
}
