package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
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
	shape, err := parseShape(*a.input)
	if err != nil {
		return resnet.Config{}, fmt.Errorf("--input: %v", err)
	}
	if *a.classes < 1 {
		return resnet.Config{}, fmt.Errorf("--classes %d: must be at least 1", *a.classes)
	}
	return resnet.Config{Arch: *a.arch, InputShape: shape, Classes: *a.classes}, nil
}

func (a archFlags) build() (*ops.Graph, error) {
	cfg, err := a.config()
	if err != nil {
		return nil, err
	}
	return cfg.Build()
}

func parseShape(s string) ([3]int, error) {
	f := strings.Split(strings.ToLower(s), "x")
	if len(f) != 3 {
		return [3]int{}, fmt.Errorf("%q is not HxWxC", s)
	}
	var out [3]int
	for i, v := range f {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return [3]int{}, fmt.Errorf("%q is not HxWxC with positive sizes", s)
		}
		out[i] = n
	}
	return out, nil
}

func runSummary(args []string, stdout io.Writer) error {
	fs := newFlags("summary", "summary [--arch A] [--input HxWxC] [--classes N]", stdout)
	af := addArchFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
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
	if err := fs.Parse(args); err != nil {
		return err
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
		return fmt.Errorf("--svg needs Graphviz's dot on PATH (apt-get install graphviz): %v", err)
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
