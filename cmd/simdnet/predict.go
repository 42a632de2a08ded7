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
	fs := newFlags("predict", "predict --model M [flags] IMAGE...", stdout)
	mf := addModelFlags(fs)
	model := mf.path
	top := fs.Int("top", 3, "classes to show per image (at least 1; more than the model has shows all)")
	asJSON := fs.Bool("json", false, "print one JSON object as the last line")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := intBetween("top", *top, 1, maxTop); err != nil {
		return err
	}
	if _, err := mf.check(); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usagef("no image given; usage: simdnet predict --model M IMAGE...")
	}
	for _, path := range fs.Args() {
		if err := existingArg("image", path); err != nil {
			return err
		}
	}
	wm, err := mf.load()
	if err != nil {
		return err
	}
	m, err := simdnet.FromWeights(wm)
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
