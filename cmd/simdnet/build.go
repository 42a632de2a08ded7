package main

import (
	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/resnet"
)

// maxParams bounds the networks the command builds: 2^30 parameters, 4 GiB
// of float32 weights. A classifier's head grows with the classes and, where
// the architecture flattens its last feature map (resnet50-seed), with the
// input's area, so --input and --classes within their own limits could
// still ask for terabytes.
const maxParams = 1 << 30

// buildNetwork builds cfg's network after checking its size: it builds the
// one-class network first (no larger than the limits on --input allow),
// reads the weights per class off its classifier, and refuses a network
// that would exceed maxParams before allocating it.
func buildNetwork(cfg resnet.Config) (*ops.Graph, error) {
	if cfg.Classes <= 1 {
		return cfg.Build()
	}
	probe := cfg
	probe.Classes = 1
	g, err := probe.Build()
	if err != nil {
		return nil, err
	}
	total, _, _ := g.CountParams()
	if perClass := classifierInputs(g) + 1; total+(cfg.Classes-1)*perClass > maxParams {
		in := cfg.InputShape
		return nil, usagef("--input %dx%dx%d with %d classes makes a %s of %d parameters (%d per class), more than the %d this command builds",
			in[0], in[1], in[2], cfg.Classes, cfg.Arch, total+(cfg.Classes-1)*perClass, perClass, maxParams)
	}
	return cfg.Build()
}

// classifierInputs is the number of inputs of a one-class network's final
// dense layer: the last 2-D kernel whose second dimension is 1. It is 0
// when there is none.
func classifierInputs(g *ops.Graph) int {
	params := g.Params()
	for i := len(params) - 1; i >= 0; i-- {
		p := params[i]
		if p.Name == "kernel" && len(p.Shape) == 2 && p.Shape[1] == 1 {
			return p.Shape[0]
		}
	}
	return 0
}
