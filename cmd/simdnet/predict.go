package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"image"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/simdnet/simdnet"
	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/plan"
)

func init() {
	register("predict", "classify your own photos: the top classes of each image (any model file, ONNX included)", runPredict)
}

func runPredict(args []string, stdout io.Writer) error {
	fs := newFlags("predict", "predict --model M [flags] IMAGE...", stdout)
	mf := addModelFlags(fs)
	model := mf.path
	top := fs.Int("top", 3, "classes to show per image (at least 1; more than the model has shows all)")
	asJSON := fs.Bool("json", false, "print one JSON object as the last line")
	size := fs.Int("size", 0, "resize each image to SIZE×SIZE (default: the model's input size; an ONNX file is lowered at this size, a simdnet model file must already take it)")
	meanFlag := fs.String("mean", "", "per-channel mean R,G,B subtracted from the pixels scaled to [0, 1], e.g. 0.485,0.456,0.406 for torchvision's ImageNet models (default 0)")
	stdFlag := fs.String("std", "", "per-channel standard deviation R,G,B the pixels are divided by after --mean, e.g. 0.229,0.224,0.225 (default 1)")
	labels := fs.String("labels", "", "text file of class names, one per line in output order (default: the model file's names, or the indices)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := intBetween("top", *top, 1, maxTop); err != nil {
		return err
	}
	if *size != 0 {
		if err := intBetween("size", *size, 1, maxImageSide); err != nil {
			return err
		}
	}
	mean, err := parseTriple("mean", *meanFlag, 0, false)
	if err != nil {
		return err
	}
	std, err := parseTriple("std", *stdFlag, 1, true)
	if err != nil {
		return err
	}
	if _, err := mf.check(); err != nil {
		return err
	}
	if *labels != "" {
		if err := existingFile("labels", *labels); err != nil {
			return err
		}
	}
	if fs.NArg() == 0 {
		return usagef("no image given; usage: simdnet predict --model M IMAGE...")
	}
	for _, path := range fs.Args() {
		if err := existingArg("image", path); err != nil {
			return err
		}
	}
	var onnxInput []int
	if *size != 0 && isONNXFile(*model) {
		onnxInput = []int{3, *size, *size}
	}
	lm, err := mf.open(onnxInput)
	if err != nil {
		return err
	}
	in := lm.Graph.InputNode().Shape
	if len(in) != 3 || in[2] != 3 {
		return fmt.Errorf("--model %s takes inputs of shape %v; predict needs an H×W×3 image input", *model, in)
	}
	if *size != 0 && (in[0] != *size || in[1] != *size) {
		return usagef("--size %d, but --model %s takes %dx%d images (a simdnet model file is built for its input size; leave --size out)", *size, *model, in[0], in[1])
	}
	classes := lm.Classes
	if *labels != "" {
		if classes, err = readLabels(*labels); err != nil {
			return err
		}
	}
	n := lm.Graph.OutputNode().Shape.Len()
	if classes != nil && len(classes) != n {
		return fmt.Errorf("--labels %s names %d classes, but --model %s gives %d outputs", *labels, len(classes), *model, n)
	}
	if classes == nil {
		classes = make([]string, n)
		for i := range classes {
			classes[i] = strconv.Itoa(i)
		}
	}
	probabilities := endsInSoftmax(lm.Graph)
	p, err := plan.Compile(lm.Graph, plan.Options{})
	lm.Close()
	if err != nil {
		return fmt.Errorf("compiling %s: %w", *model, err)
	}
	defer p.Close()
	type result struct {
		Image       string               `json:"image"`
		Predictions []simdnet.Prediction `json:"predictions"`
	}
	var results []result
	out := ops.NewTensor(1, n)
	for _, path := range fs.Args() {
		img, err := readImage(path)
		if err != nil {
			return err
		}
		if b := img.Bounds(); b.Empty() {
			return fmt.Errorf("%s: the image is empty (%v)", path, b)
		}
		x := ops.ImageInput(img, in[0], in[1])
		normalize(x.Data, mean, std)
		err = p.Run(out, x)
		ops.PutImageInput(x)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		row := slices.Clone(out.Data)
		if !probabilities {
			softmax(row)
		}
		preds := make([]simdnet.Prediction, len(row))
		for i, v := range row {
			preds[i] = simdnet.Prediction{Index: i, Class: classes[i], Probability: v}
		}
		slices.SortStableFunc(preds, func(a, b simdnet.Prediction) int { return cmp.Compare(b.Probability, a.Probability) })
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

// maxImageSide bounds --size.
const maxImageSide = 8192

// parseTriple parses --mean or --std: three comma-separated finite numbers
// (positive ones for --std), one per RGB channel; empty gives def thrice.
func parseTriple(flag, s string, def float32, positive bool) ([3]float32, error) {
	v := [3]float32{def, def, def}
	if s == "" {
		return v, nil
	}
	parts := strings.Split(s, ",")
	if len(parts) != 3 {
		return v, usagef("--%s %q: want three comma-separated numbers, one per channel R,G,B", flag, s)
	}
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 32)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || (positive && f <= 0) {
			what := "a finite number"
			if positive {
				what = "a positive number"
			}
			return v, usagef("--%s %q: %q is not %s", flag, s, p, what)
		}
		v[i] = float32(f)
	}
	return v, nil
}

// normalize applies (x − mean) / std per channel to an N×H×W×3 batch.
func normalize(x []float32, mean, std [3]float32) {
	if mean == [3]float32{} && std == [3]float32{1, 1, 1} {
		return
	}
	var inv [3]float32
	for c := range inv {
		inv[c] = 1 / std[c]
	}
	for k := 0; k+2 < len(x); k += 3 {
		for c := range 3 {
			x[k+c] = (x[k+c] - mean[c]) * inv[c]
		}
	}
}

// readLabels reads a labels file: one class name per line, in output
// order; blank lines at the end are ignored, blank ones between names are
// an error (they would shift every name after them).
func readLabels(path string) ([]string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, usagef("--labels %s: %v", path, err)
	}
	if info.Size() > 64<<20 {
		return nil, fmt.Errorf("--labels %s: %d bytes, more than a labels file of %d MiB", path, info.Size(), 64)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--labels %s: %w", path, err)
	}
	lines := strings.Split(strings.TrimRight(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n \t"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
		if lines[i] == "" {
			return nil, fmt.Errorf("--labels %s: line %d is blank", path, i+1)
		}
	}
	return lines, nil
}

// endsInSoftmax reports whether the graph's output is already a softmax
// (simdnet's classifiers end in one; ONNX files usually give logits).
func endsInSoftmax(g *ops.Graph) bool {
	a, ok := g.OutputNode().Layer.(ops.Activated)
	return ok && a.OutputActivation() == ops.Softmax
}

// softmax turns logits into probabilities in place.
func softmax(x []float32) {
	m := float32(math.Inf(-1))
	for _, v := range x {
		m = max(m, v)
	}
	var sum float64
	for i, v := range x {
		e := math.Exp(float64(v - m))
		x[i] = float32(e)
		sum += e
	}
	for i := range x {
		x[i] = float32(float64(x[i]) / sum)
	}
}

// readImage decodes a JPEG or PNG photo after checking its header: one
// declaring more than ops.DefaultMaxImagePixels pixels is refused before
// it is decoded. Errors name the file.
func readImage(path string) (image.Image, error) {
	img, _, err := ops.DecodeImageFile(path, ops.DefaultMaxImagePixels)
	return img, err
}
