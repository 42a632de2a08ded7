// Command embed is a complete hand-sign classifier in one static binary: the
// model file is compiled into the program with go:embed, so the binary needs
// no other file, no cgo and no Python.
//
//	go build ./examples/embed
//	./embed photo1.jpg photo2.png
//
// signs-resnet8.safetensors is a ResNet8 trained on SIGNS by
//
//	simdnet train --arch resnet8 --epochs 15 --f16 --out examples/embed/signs-resnet8.safetensors
//
// (97.5% on the 120 test images); put your own model file in its place to
// ship another classifier.
package main

import (
	_ "embed"
	"fmt"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"os"

	"github.com/simdnet/simdnet"
)

//go:embed signs-resnet8.safetensors
var modelFile []byte

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: embed IMAGE...")
		os.Exit(2)
	}
	m, err := simdnet.LoadBytes("signs-resnet8.safetensors", modelFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	status := 0
	for _, path := range os.Args[1:] {
		if err := classify(m, path); err != nil {
			fmt.Fprintln(os.Stderr, err)
			status = 1
		}
	}
	os.Exit(status)
}

func classify(m *simdnet.Model, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	top, err := m.Predict(img)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	fmt.Printf("%s: %s fingers (%.1f%%)\n", path, top[0].Class, 100*top[0].Probability)
	return nil
}
