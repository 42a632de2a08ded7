package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"

	"github.com/simdnet/simdnet/models"
	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/resnet"
)

func init() {
	register("summary", "the network layer by layer, as Keras's model.summary() prints it", runSummary)
	register("graph", "the network as Graphviz DOT (and SVG with --svg when dot is installed)", runGraph)
}

// archFlags are the flags that choose a fresh network.
type archFlags struct {
	arch    *string
	input   *string
	classes *int
}

func addArchFlags(fs interface {
	String(name, value, usage string) *string
	Int(name string, value int, usage string) *int
}) archFlags {
	return archFlags{
		arch:    fs.String("arch", "resnet50-seed", "architecture: "+strings.Join(models.Names(), ", ")),
		input:   fs.String("input", "64x64x3", "input shape HxWxC"),
		classes: fs.Int("classes", resnet.SignsClasses, "number of classes"),
	}
}

func (a archFlags) config() (resnet.Config, error) {
	shape, err := parseShape("input", *a.input)
	if err := firstError(archName(*a.arch), err, intBetween("classes", *a.classes, 1, maxClasses)); err != nil {
		return resnet.Config{}, err
	}
	return resnet.Config{Arch: *a.arch, InputShape: shape, Classes: *a.classes}, nil
}

// archName checks an --arch value against the registered architectures.
func archName(arch string) error {
	return oneOf("arch", arch, models.Names()...)
}

func (a archFlags) build() (*ops.Graph, error) {
	cfg, err := a.config()
	if err != nil {
		return nil, err
	}
	return buildNetwork(cfg)
}

func runSummary(args []string, stdout io.Writer) error {
	fs := newFlags("summary", "summary [--arch A] [--input HxWxC] [--classes N] | --model M", stdout)
	af := addArchFlags(fs)
	model := fs.String("model", "", "summarise this model file's network instead of --arch: simdnet .safetensors, ONNX (.onnx, as lowered onto simdnet's layers, in NHWC), or bare weights with --arch, --input, --classes")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *model != "" {
		if err := existingFile("model", *model); err != nil {
			return err
		}
		m, err := openWithArchFlags(fs, af, *model)
		if err != nil {
			return err
		}
		defer m.Close()
		if m.ONNX != nil {
			om := m.ONNX
			fmt.Fprintf(stdout, "ONNX file %s: opset %d, producer %q, input %q %v, output %q %v (per sample, the file's layout)\n",
				*model, om.Opset, om.Producer, om.InputName, ops.Shape(om.InputShape()), om.OutputName, ops.Shape(om.OutputShape()))
		}
		return m.Graph.Summary(stdout)
	}
	g, err := af.build()
	if err != nil {
		return err
	}
	g.Summary(stdout)
	return nil
}

func runGraph(args []string, stdout io.Writer) error {
	fs := newFlags("graph", "graph [--arch A] [--svg out.svg]", stdout)
	af := addArchFlags(fs)
	svg := fs.String("svg", "", "also render SVG to this file with Graphviz's dot")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *svg != "" {
		if err := outputFile("svg", *svg); err != nil {
			return err
		}
	}
	g, err := af.build()
	if err != nil {
		return err
	}
	if *svg == "" {
		g.DOT(stdout)
		return nil
	}
	dot, err := exec.LookPath("dot")
	if err != nil {
		return usagef("--svg needs Graphviz's dot on PATH (apt-get install graphviz): %v", err)
	}
	var sb strings.Builder
	g.DOT(&sb)
	cmd := exec.Command(dot, "-Tsvg", "-o", *svg)
	cmd.Stdin = strings.NewReader(sb.String())
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("dot: %v", err)
	}
	fmt.Fprintf(stdout, "wrote %s\n", *svg)
	return nil
}
