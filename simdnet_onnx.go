package simdnet

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/simdnet/simdnet/onnx"
	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/plan"
	"github.com/simdnet/simdnet/resnet"
)

// isONNX reports whether a model file is ONNX, by its extension.
func isONNX(path string) bool { return strings.EqualFold(filepath.Ext(path), ".onnx") }

// loadONNX reads an ONNX file (see package onnx) into a Model. The plan
// works in NHWC like every simdnet plan (Plan.Run takes N×H×W×C batches);
// the file's logits get a softmax, so that Predict gives probabilities as
// it does for simdnet's own files. Classes are named by their index.
func loadONNX(ctx context.Context, name string, data []byte, fromFile bool) (*Model, error) {
	var m *onnx.Model
	var err error
	if fromFile {
		m, err = onnx.Load(name, onnx.Options{ChannelsLast: true})
	} else {
		m, err = onnx.LoadBytes(name, data, onnx.Options{ChannelsLast: true})
	}
	if err != nil {
		return nil, err
	}
	g := m.Graph
	out := g.OutputNode()
	if a, ok := out.Layer.(*ops.Activation); (!ok || a.Func != ops.Softmax) && len(out.Shape) == 1 {
		g.SetOutput(g.Apply(&ops.Activation{Name: "simdnet_softmax", Func: ops.Softmax}, out))
		if err := g.Build(); err != nil {
			return nil, fmt.Errorf("simdnet: %s: %w", name, err)
		}
	}
	p, err := plan.CompileContext(ctx, g, plan.Options{})
	if err != nil && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if err != nil {
		return nil, fmt.Errorf("simdnet: compiling %s: %w", name, err)
	}
	cfg := resnet.Config{Arch: "onnx"}
	if in := p.InputShape(); len(in) == 3 {
		cfg.InputShape = [3]int{in[0], in[1], in[2]}
	}
	classes := make([]string, p.OutputShape().Len())
	for i := range classes {
		classes[i] = fmt.Sprint(i)
	}
	cfg.Classes = len(classes)
	return &Model{plan: p, config: cfg, classes: classes}, nil
}
