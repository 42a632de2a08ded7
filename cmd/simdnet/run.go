package main

import (
	"fmt"
	"io"
	"runtime"
	"slices"

	"github.com/simdnet/simdnet/internal/npy"
	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/plan"
)

func init() {
	register("run", "run a model on a NumPy tensor and write its output: run --model M --input x.npy --output y.npy", runRun)
}

// runChunk is how many samples of the input run through the plan at a
// time, so that the arena of a large input stays that of 32 samples.
const runChunk = 32

// runRun runs any model file on a batch read from a .npy file, in the
// model's own layout: N×C×H×W for an ONNX file's image input (and output),
// N×H×W×C for simdnet's model files, whose graphs work in NHWC. The output
// is the network's own: the logits of an ONNX classifier, the softmax of a
// simdnet one (the last layer of its graph). This is how one runtime is
// checked against another.
func runRun(args []string, stdout io.Writer) error {
	fs := newFlags("run", "run --model M --input x.npy --output y.npy [flags]", stdout)
	path := fs.String("model", "model.safetensors", "model file: simdnet .safetensors, training checkpoint, ONNX (.onnx), or bare Keras-named safetensors weights (then with --arch and --classes; the input's shape is the tensor's)")
	arch := fs.String("arch", "", "for bare weights: the architecture")
	classes := fs.String("classes", "", "for bare weights: the number of classes, or their names comma-separated")
	input := fs.String("input", "", "the input batch, a .npy file in the model's layout: (N, C, H, W) for an ONNX image model, (N, H, W, C) for a simdnet model; any numeric dtype, read as float32")
	output := fs.String("output", "", "where to write the output batch as .npy")
	dtype := fs.String("dtype", "f4", "element type of the output: f4 (float32) or f8 (float64)")
	logits := fs.Bool("logits", false, "leave out the output layer's softmax: write logits")
	threads := fs.Int("threads", 0, "threads (GOMAXPROCS and goroutines per product); 0: all cores")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := firstError(noArgs(fs), oneOf("dtype", *dtype, "f4", "f8"), intBetween("threads", *threads, 0, maxThreads)); err != nil {
		return err
	}
	if *input == "" || *output == "" {
		return usagef("want --input x.npy and --output y.npy")
	}
	if err := firstError(existingFile("input", *input), outputFile("output", *output)); err != nil {
		return err
	}
	if sameFile(*input, *output) {
		return usagef("--output %s is the input file", *output)
	}
	noInput := ""
	mf := modelFlags{path: path, arch: arch, input: &noInput, classes: classes}
	if _, err := mf.check(); err != nil {
		return err
	}
	x, err := npy.ReadFile(*input)
	if err != nil {
		return err
	}
	if len(x.Shape) < 2 {
		return usagef("--input %s has shape %v; want a batch axis first and the sample's axes after it, e.g. (1, 3, 224, 224)", *input, x.Shape)
	}
	if x.Shape[0] == 0 {
		return usagef("--input %s holds an empty batch (shape %v)", *input, x.Shape)
	}
	sample := x.Shape[1:]
	if len(sample) == 3 && !isONNXFile(*path) && isBareWeights(*path) {
		// Bare weights take their input shape from the tensor.
		noInput = fmt.Sprintf("%dx%dx%d", sample[0], sample[1], sample[2])
	}
	if *threads > 0 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(*threads)) // as before, once done (tests run commands in-process)
	}
	forward, inShape, closePlan, err := compileForRun(mf, sample, plan.Options{Logits: *logits})
	if err != nil {
		return err
	}
	defer closePlan()
	if !slices.Equal(sample, inShape) {
		layout := "(N, H, W, C)"
		if isONNXFile(*path) {
			layout = "in the file's layout"
		}
		return usagef("--input %s has samples of shape %v, but the model takes %v %s", *input, ops.Shape(sample), ops.Shape(inShape), layout)
	}
	var outShape []int
	var out []float32
	per := ops.Shape(sample).Len()
	for b := 0; b < x.Shape[0]; b += runChunk {
		n := min(runChunk, x.Shape[0]-b)
		t := &ops.Tensor{Shape: append(ops.Shape{n}, sample...), Data: x.Data[b*per : (b+n)*per]}
		y, err := forward(t)
		if err != nil {
			return fmt.Errorf("running %s on %s: %w", *path, *input, err)
		}
		if out == nil {
			outShape = append([]int{x.Shape[0]}, y.Shape[1:]...)
			out = make([]float32, 0, ops.Shape(outShape).Len())
		}
		out = append(out, y.Data...)
	}
	if err := npy.WriteFile(*output, outShape, out, "<"+*dtype); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: shape %v\n", *output, ops.Shape(outShape))
	return nil
}

// compileForRun reads the model and compiles it; forward runs a batch in
// the model's own layout. For an ONNX file whose declared sample shape is
// not the input's, the file is lowered again with the input's shape, so
// that an error then names what the network cannot do at that size.
func compileForRun(mf modelFlags, sample []int, opts plan.Options) (forward func(*ops.Tensor) (*ops.Tensor, error), inShape []int, closePlan func() error, err error) {
	lm, err := mf.open(nil)
	if err != nil {
		return nil, nil, nil, err
	}
	if lm.ONNX != nil {
		om := lm.ONNX
		if !slices.Equal(om.InputShape(), sample) && len(om.InputShape()) == len(sample) {
			declared := om.InputShape()
			if lm, err = mf.open(sample); err != nil {
				return nil, nil, nil, fmt.Errorf("the file declares samples of shape %v, the input's are %v, and the network does not run at that shape: %w",
					ops.Shape(declared), ops.Shape(sample), err)
			}
			om = lm.ONNX
		}
		p, err := om.Compile(opts)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("compiling %s: %w", *mf.path, err)
		}
		return p.Forward, om.InputShape(), p.Close, nil
	}
	p, err := plan.Compile(lm.Graph, opts)
	lm.Close()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("compiling %s: %w", *mf.path, err)
	}
	return p.Forward, p.InputShape(), p.Close, nil
}
