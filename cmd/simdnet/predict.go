package main

import (
	"encoding/json"
	"fmt"
	"image"
	"io"

	"github.com/simdnet/simdnet"
	"github.com/simdnet/simdnet/ops"
)

func init() {
	register("predict", "classify your own photos: the top classes of each image", runPredict)
}

func runPredict(args []string, stdout io.Writer) error {
	fs := newFlags("predict", "predict --model M IMAGE...", stdout)
	model := fs.String("model", "model.safetensors", "model file")
	top := fs.Int("top", 3, "classes to show per image")
	asJSON := fs.Bool("json", false, "print one JSON object as the last line")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("no image given; usage: simdnet predict --model M IMAGE...")
	}
	m, err := simdnet.Load(*model)
	if err != nil {
		return err
	}
	type result struct {
		Image       string               `json:"image"`
		Predictions []simdnet.Prediction `json:"predictions"`
	}
	var results []result
	for _, path := range fs.Args() {
		img, err := readImage(path)
		if err != nil {
			return err
		}
		preds, err := m.Predict(img)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		preds = preds[:min(*top, len(preds))]
		results = append(results, result{path, preds})
		fmt.Fprintf(stdout, "%s:", path)
		for _, p := range preds {
			fmt.Fprintf(stdout, "  %s %.1f%%", p.Class, 100*p.Probability)
		}
		fmt.Fprintln(stdout)
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(map[string]any{"model": *model, "results": results})
	}
	return nil
}

// readImage decodes a JPEG or PNG photo after checking its header: one
// declaring more than ops.DefaultMaxImagePixels pixels is refused before
// it is decoded. Errors name the file.
func readImage(path string) (image.Image, error) {
	img, _, err := ops.DecodeImageFile(path, ops.DefaultMaxImagePixels)
	return img, err
}
