package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/simdnet/simdnet/models"
	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/resnet"
	"github.com/simdnet/simdnet/weights"
	"github.com/simdnet/simdnet/weights/safetensors"
)

func init() {
	register("convert", "turn Keras .h5 weights or an ONNX file into a simdnet model file: convert in.h5|in.onnx out.safetensors", runConvert)
}

func runConvert(args []string, stdout io.Writer) error {
	fs := newFlags("convert", "convert [flags] in.h5|in.onnx out.safetensors", stdout)
	arch := fs.String("arch", "", "for .h5: architecture (default: inferred from the file's model_config); one of "+strings.Join(models.Names(), ", "))
	input := fs.String("input", "", "input shape HxWxC (.h5: default from the file's model_config, required when it has none; .onnx: the image size to lower the file at, default the file's)")
	classes := fs.String("classes", "", "comma-separated class names in output order (default: 0..N-1)")
	f16 := fs.Bool("f16", false, "store weights as float16, half the file")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return usagef("want two files, in.h5 and out.safetensors; got %d arguments (in.onnx converts too)", fs.NArg())
	}
	in, out := fs.Arg(0), fs.Arg(1)
	if isONNXFile(in) {
		return convertONNX(in, out, *arch, *input, *classes, *f16, stdout)
	}
	cfg := resnet.Config{Arch: *arch}
	if *arch != "" {
		if err := archName(*arch); err != nil {
			return err
		}
	}
	if *input != "" {
		shape, err := parseShape("input", *input)
		if err != nil {
			return err
		}
		cfg.InputShape = shape
	}
	var names []string
	if *classes != "" {
		var err error
		if names, err = parseClassNames("classes", *classes); err != nil {
			return err
		}
	}
	if err := firstError(existingArg("in.h5", in), outputArg("out.safetensors", out)); err != nil {
		return err
	}
	if sameFile(in, out) {
		return usagef("out.safetensors %s is the input file", out)
	}
	var opts []weights.SaveOption
	if *f16 {
		opts = append(opts, weights.WithDtype(safetensors.F16))
	}
	if err := weights.ConvertKerasToSafetensors(in, out, cfg, names, opts...); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s\n", out)
	return nil
}

// convertONNX writes an ONNX file's network, lowered onto simdnet's layers
// (NHWC, weights transposed, the Gemm after a Flatten permuted), as a
// simdnet model file: it then loads like any other, takes N×H×W×C batches,
// and gives the file's output, with a softmax after a classifier's logits
// as every simdnet model file has (run --logits leaves it out).
func convertONNX(in, out, arch, input, classes string, f16 bool, stdout io.Writer) error {
	if err := firstError(existingArg("in.onnx", in), outputArg("out.safetensors", out)); err != nil {
		return err
	}
	if sameFile(in, out) {
		return usagef("out.safetensors %s is the input file", out)
	}
	if arch != "" {
		return usagef("--arch %s is for .h5 files; the ONNX file %s describes its own network", arch, in)
	}
	mf := modelFlags{path: &in, arch: &arch, input: &input, classes: &classes}
	m, err := mf.open(nil)
	if err != nil {
		return err
	}
	meta := map[string]string{"onnx.source": filepath.Base(in), "onnx.producer": m.ONNX.Producer, "onnx.opset": fmt.Sprint(m.ONNX.Opset)}
	if g := m.Graph; len(g.OutputNode().Shape) == 1 && !endsInSoftmax(g) {
		// simdnet's model files give probabilities (Model.Predict reads
		// them so): a classifier's logits get a softmax, which
		// run --logits and plan.Options.Logits leave out again.
		g.SetOutput(g.Apply(&ops.Activation{Name: "simdnet_softmax", Func: ops.Softmax}, g.OutputNode()))
		if err := g.Build(); err != nil {
			return fmt.Errorf("%s: adding the output softmax: %w", in, err)
		}
		meta["onnx.softmax_added"] = "true"
	}
	opts := []weights.SaveOption{weights.WithMeta(meta)}
	if m.Classes != nil {
		opts = append(opts, weights.WithClasses(m.Classes...))
	}
	if f16 {
		opts = append(opts, weights.WithDtype(safetensors.F16))
	}
	if err := weights.Save(out, m.Graph, opts...); err != nil {
		return fmt.Errorf("writing %s from %s: %w", out, in, err)
	}
	soft := ""
	if meta["onnx.softmax_added"] != "" {
		soft = ", probabilities (a softmax added after the file's logits)"
	}
	fmt.Fprintf(stdout, "wrote %s: %s's network in NHWC, input %v, output %v per sample%s\n", out, in, m.Graph.InputNode().Shape, m.Graph.OutputNode().Shape, soft)
	return nil
}
