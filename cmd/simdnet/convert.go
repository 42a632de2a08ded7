package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/simdnet/simdnet/models"
	"github.com/simdnet/simdnet/resnet"
	"github.com/simdnet/simdnet/weights"
	"github.com/simdnet/simdnet/weights/safetensors"
)

func init() {
	register("convert", "turn Keras .h5 weights into a simdnet model file: convert in.h5 out.safetensors", runConvert)
}

func runConvert(args []string, stdout io.Writer) error {
	fs := newFlags("convert", "convert [flags] in.h5 out.safetensors", stdout)
	arch := fs.String("arch", "", "architecture (default: inferred from the file's model_config); one of "+strings.Join(models.Names(), ", "))
	input := fs.String("input", "", "input shape HxWxC (default: from the file's model_config; required when it has none)")
	classes := fs.String("classes", "", "comma-separated class names in output order (default: 0..N-1)")
	f16 := fs.Bool("f16", false, "store weights as float16, half the file")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return usagef("want two files, in.h5 and out.safetensors; got %d arguments", fs.NArg())
	}
	in, out := fs.Arg(0), fs.Arg(1)
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
