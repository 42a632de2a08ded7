package main

import (
	"fmt"
	"io"

	"github.com/simdnet/simdnet/onnx/export"
)

func init() {
	register("export", "write a simdnet model file as ONNX: export model.safetensors model.onnx", runExport)
}

// runExport writes any simdnet model file (or checkpoint, or bare weights
// with --arch, --input, --classes) as an ONNX file: N×C×H×W input with a
// symbolic batch, the network's own output (probabilities for simdnet's
// classifiers), which ONNX Runtime runs with the outputs of simdnet run.
func runExport(args []string, stdout io.Writer) error {
	fs := newFlags("export", "export [flags] model.safetensors model.onnx", stdout)
	arch := fs.String("arch", "", "for bare weights: the architecture")
	input := fs.String("input", "", "for bare weights: the input shape HxWxC")
	classes := fs.String("classes", "", "for bare weights: the number of classes, or their names comma-separated")
	opset := fs.Int("opset", 13, "ONNX opset of the file, 13 to 18")
	logits := fs.Bool("logits", false, "leave out the output layer's softmax: the file gives logits")
	fold := fs.Bool("fold-bn", false, "fold each BatchNormalization into the convolution before it instead of writing BatchNormalization nodes")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return usagef("want two files, model.safetensors and model.onnx; got %d arguments", fs.NArg())
	}
	in, out := fs.Arg(0), fs.Arg(1)
	if err := firstError(intBetween("opset", *opset, 13, 18), existingArg("model.safetensors", in), outputArg("model.onnx", out)); err != nil {
		return err
	}
	if isONNXFile(in) {
		return usagef("%s is already an ONNX file", in)
	}
	if !isONNXFile(out) {
		return usagef("model.onnx %s: want a file name ending in .onnx", out)
	}
	if sameFile(in, out) {
		return usagef("model.onnx %s is the input file", out)
	}
	mf := modelFlags{path: &in, arch: arch, input: input, classes: classes}
	m, err := mf.open(nil)
	if err != nil {
		return err
	}
	defer m.Close()
	if err := export.WriteFile(out, m.Graph, export.Options{Opset: *opset, FoldBatchNorm: *fold, Logits: *logits}); err != nil {
		return fmt.Errorf("exporting %s to %s: %w", in, out, err)
	}
	s := m.Graph.InputNode().Shape
	shape := fmt.Sprint(s)
	if len(s) == 3 {
		shape = fmt.Sprintf("(N, %d, %d, %d)", s[2], s[0], s[1])
	}
	fmt.Fprintf(stdout, "wrote %s: opset %d, input %s, output %v per sample\n", out, *opset, shape, m.Graph.OutputNode().Shape)
	return nil
}
