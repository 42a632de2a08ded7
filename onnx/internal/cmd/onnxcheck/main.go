// Command onnxcheck runs every model that make_fixtures.py --full exported
// into a directory and prints how far simdnet's logits are from PyTorch's,
// through the graph and through the compiled plan:
//
//	/usr/bin/python3 onnx/testdata/make_fixtures.py --full /tmp/onnxfull
//	go run ./onnx/internal/cmd/onnxcheck /tmp/onnxfull
//
// A model passes when max |simdnet − PyTorch| ≤ 1e-4 × max |PyTorch|. The
// exit status is 1 when any model fails or does not load.
package main

import (
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/simdnet/simdnet/onnx"
	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/plan"
)

func main() {
	graph := flag.Bool("graph", false, "also run the unfused graph (slow on big models)")
	flag.Usage = func() { fmt.Fprintln(os.Stderr, "usage: onnxcheck [-graph] DIR"); flag.PrintDefaults() }
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	metas, _ := filepath.Glob(filepath.Join(flag.Arg(0), "*.json"))
	sort.Strings(metas)
	failed := false
	fmt.Printf("| model | opset | batch×input | plan: max|Δ| / max|y| | graph | result |\n|---|---|---|---|---|---|\n")
	for _, meta := range metas {
		base := strings.TrimSuffix(meta, ".json")
		name := filepath.Base(base)
		op := name[strings.LastIndex(name, "_op")+3:]
		row, ok := check(base, *graph)
		failed = failed || !ok
		fmt.Printf("| %s | %s | %s |\n", strings.TrimSuffix(name, "_op"+op), op, row)
	}
	if failed {
		os.Exit(1)
	}
}

func check(base string, graph bool) (string, bool) {
	var meta struct {
		InputShape  []int `json:"input_shape"`
		OutputShape []int `json:"output_shape"`
	}
	raw, err := os.ReadFile(base + ".json")
	if err == nil {
		err = json.Unmarshal(raw, &meta)
	}
	if err != nil {
		return fmt.Sprintf(" | | | %v", err), false
	}
	shape := fmt.Sprintf("%d×%v", meta.InputShape[0], ops.Shape(meta.InputShape[1:]))
	x, err1 := readF32(base+".in.f32", meta.InputShape)
	want, err2 := readF32(base+".out.f32", meta.OutputShape)
	if err1 != nil || err2 != nil {
		return fmt.Sprintf("%s | | | %v %v", shape, err1, err2), false
	}
	m, err := onnx.Load(base+".onnx", onnx.Options{})
	if err != nil {
		return fmt.Sprintf("%s | | | does not load: %s", shape, oneLine(err)), false
	}
	p, err := m.Compile(plan.Options{})
	if err != nil {
		return fmt.Sprintf("%s | | | does not compile: %s", shape, oneLine(err)), false
	}
	defer p.Close()
	y, err := p.Forward(x)
	if err != nil {
		return fmt.Sprintf("%s | | | %s", shape, oneLine(err)), false
	}
	d := relDiff(y, want)
	ok := d <= 1e-4
	gs := "–"
	if graph {
		gy, err := m.Forward(x)
		if err != nil {
			return fmt.Sprintf("%s | %.2g | %s | fail", shape, d, oneLine(err)), false
		}
		gd := relDiff(gy, want)
		gs = fmt.Sprintf("%.2g", gd)
		ok = ok && gd <= 1e-4
	}
	res := "pass"
	if !ok {
		res = "FAIL"
	}
	return fmt.Sprintf("%s | %.2g | %s | %s", shape, d, gs, res), ok
}

func oneLine(err error) string { return strings.ReplaceAll(err.Error(), "\n", " ") }

func relDiff(got, want *ops.Tensor) float64 {
	if len(got.Data) != len(want.Data) {
		return math.Inf(1)
	}
	var diff, scale float64
	for k, w := range want.Data {
		diff = max(diff, math.Abs(float64(got.Data[k])-float64(w)))
		scale = max(scale, math.Abs(float64(w)))
	}
	return diff / scale
}

func readF32(path string, shape []int) (*ops.Tensor, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	x := ops.NewTensor(shape...)
	if len(raw) != 4*len(x.Data) {
		return nil, fmt.Errorf("%s: %d bytes for shape %v", path, len(raw), shape)
	}
	for k := range x.Data {
		x.Data[k] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*k:]))
	}
	return x, nil
}
