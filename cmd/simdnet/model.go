package main

import (
	"flag"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/simdnet/simdnet/models"
	"github.com/simdnet/simdnet/onnx"
	"github.com/simdnet/simdnet/resnet"
	"github.com/simdnet/simdnet/weights"
	"github.com/simdnet/simdnet/weights/safetensors"
)

// modelFlags choose the model eval and predict run: a simdnet model file,
// a training checkpoint (which is one too), or a bare safetensors file of
// Keras-named weights ("<layer>/<param>", as a converted PyTorch state dict
// or another tool may write) with --arch, --input and --classes saying
// which network they belong to.
type modelFlags struct {
	path, arch, input, classes *string
}

func addModelFlags(fs *flag.FlagSet) modelFlags {
	return modelFlags{
		path:    fs.String("model", "model.safetensors", "model file: simdnet .safetensors, training checkpoint, ONNX (.onnx), Keras model.save (.h5), or bare Keras-named safetensors weights (then with --arch, --input, --classes)"),
		arch:    fs.String("arch", "", "for bare weights: the architecture, one of "+strings.Join(models.Names(), ", ")),
		input:   fs.String("input", "", "for bare weights: the input shape HxWxC, e.g. 64x64x3; for an ONNX file: its image size, where the network allows another"),
		classes: fs.String("classes", "", "for bare weights: the number of classes, or their names comma-separated in output order"),
	}
}

// bareConfig is what the flags say about the network; fields the flags
// leave out are zero.
type bareConfig struct {
	cfg   resnet.Config
	names []string
}

// check validates the flags without reading the model.
func (mf modelFlags) check() (bareConfig, error) {
	var bc bareConfig
	if *mf.arch != "" {
		if err := archName(*mf.arch); err != nil {
			return bc, err
		}
		bc.cfg.Arch = *mf.arch
	}
	if *mf.input != "" {
		shape, err := parseShape("input", *mf.input)
		if err != nil {
			return bc, err
		}
		bc.cfg.InputShape = shape
	}
	if *mf.classes != "" {
		if n, err := strconv.Atoi(strings.TrimSpace(*mf.classes)); err == nil {
			if err := intBetween("classes", n, 1, maxClasses); err != nil {
				return bc, err
			}
			bc.cfg.Classes = n
		} else {
			names, err := parseClassNames("classes", *mf.classes)
			if err != nil {
				return bc, err
			}
			bc.cfg.Classes, bc.names = len(names), names
		}
	}
	return bc, existingFile("model", *mf.path)
}

// load reads the model. A file that describes its network must agree with
// any of --arch, --input and --classes given; bare weights need all three.
// An ONNX file (*.onnx) is lowered by package onnx onto a graph in NHWC
// (see openONNX); its Config describes the graph as for any file that does
// not name a registered architecture.
func (mf modelFlags) load() (*weights.Model, error) {
	lm, err := mf.open(nil)
	if err != nil {
		return nil, err
	}
	return lm.Model, nil
}

// loadedModel is a model file read by modelFlags.open: the graph, in NHWC
// whatever the file, with what describes it, and the ONNX model when the
// file is one (whose own layout, NCHW, its input and output keep at the
// boundary; see package onnx).
type loadedModel struct {
	*weights.Model
	ONNX *onnx.Model
}

// open reads the model file, any kind: a simdnet model file or checkpoint,
// bare weights with --arch, --input and --classes, or an ONNX file. It is
// the one path every command that takes --model reads it through, so that
// a format joins all of them at once. onnxInput, when not nil, fixes the
// per-sample input shape of an ONNX file in the file's layout (C, H, W),
// for files whose image size is symbolic or may change (fully convolutional
// up to a global pooling).
func (mf modelFlags) open(onnxInput []int) (*loadedModel, error) {
	bc, err := mf.check()
	if err != nil {
		return nil, err
	}
	if isONNXFile(*mf.path) {
		return mf.openONNX(bc, onnxInput)
	}
	m, err := weights.Load(*mf.path)
	if err == nil {
		return &loadedModel{Model: m}, bc.agrees(m)
	}
	m, err = mf.openBare(bc, err)
	if err != nil {
		return nil, err
	}
	return &loadedModel{Model: m}, nil
}

func isONNXFile(path string) bool { return strings.EqualFold(filepath.Ext(path), ".onnx") }

// openONNX reads an ONNX file. --arch is refused (the file describes its
// network); --input HxWxC sets the image size, as onnxInput does; --classes
// must agree with the output's length and may name the classes.
func (mf modelFlags) openONNX(bc bareConfig, onnxInput []int) (*loadedModel, error) {
	if bc.cfg.Arch != "" {
		return nil, usagef("--arch %s is for bare weights; the ONNX file %s describes its own network", bc.cfg.Arch, *mf.path)
	}
	if onnxInput == nil && bc.cfg.InputShape != [3]int{} {
		s := bc.cfg.InputShape
		onnxInput = []int{s[2], s[0], s[1]}
	}
	om, err := onnx.Load(*mf.path, onnx.Options{InputShape: onnxInput})
	if err != nil {
		return nil, err
	}
	g := om.Graph
	cfg := resnet.Config{}
	if in := g.InputNode().Shape; len(in) == 3 {
		cfg.InputShape = [3]int{in[0], in[1], in[2]}
	}
	if out := g.OutputNode().Shape; len(out) == 1 {
		cfg.Classes = out[0]
	}
	if bc.cfg.Classes != 0 && bc.cfg.Classes != cfg.Classes {
		return nil, usagef("--classes gives %d classes, but the ONNX file %s has %d outputs per sample (shape %v)", bc.cfg.Classes, *mf.path, g.OutputNode().Shape.Len(), g.OutputNode().Shape)
	}
	meta := map[string]string{"onnx.producer": om.Producer, "onnx.opset": fmt.Sprint(om.Opset)}
	return &loadedModel{Model: &weights.Model{Graph: g, Config: cfg, Classes: bc.names, Meta: meta}, ONNX: om}, nil
}

// openBare reads bare Keras-named weights, described by the flags; loadErr
// is why the file did not load as a model file.
func (mf modelFlags) openBare(bc bareConfig, loadErr error) (*weights.Model, error) {
	if !isBareWeights(*mf.path) {
		return nil, loadErr
	}
	var missing []string
	for _, f := range []struct {
		name string
		set  bool
	}{{"--arch", bc.cfg.Arch != ""}, {"--input", bc.cfg.InputShape != [3]int{}}, {"--classes", bc.cfg.Classes != 0}} {
		if !f.set {
			missing = append(missing, f.name)
		}
	}
	if missing != nil {
		return nil, usagef("--model %s holds bare weights, without simdnet's description of the network: give --arch, --input and --classes (missing %s)",
			*mf.path, strings.Join(missing, ", "))
	}
	g, err := buildNetwork(bc.cfg)
	if err != nil {
		return nil, err
	}
	f, err := safetensors.ReadFile(*mf.path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if err := weights.Assign(g, weights.FromSafetensors(f)); err != nil {
		return nil, fmt.Errorf("--model %s does not fit --arch %s --input %s --classes %s: %w", *mf.path, *mf.arch, *mf.input, *mf.classes, err)
	}
	return &weights.Model{Graph: g, Config: bc.cfg, Classes: bc.names, Meta: map[string]string{}}, nil
}

// agrees checks the flags given against the model file's own description:
// they are for bare weights, and must not silently lose to the file.
func (bc bareConfig) agrees(m *weights.Model) error {
	c := m.Config
	switch {
	case bc.cfg.Arch != "" && bc.cfg.Arch != c.Arch:
		return usagef("--arch %s, but the model file is a %s (the flag is for bare weights)", bc.cfg.Arch, c.Arch)
	case bc.cfg.InputShape != [3]int{} && bc.cfg.InputShape != c.InputShape:
		return usagef("--input %dx%dx%d, but the model file takes %dx%dx%d (the flag is for bare weights)",
			bc.cfg.InputShape[0], bc.cfg.InputShape[1], bc.cfg.InputShape[2], c.InputShape[0], c.InputShape[1], c.InputShape[2])
	case bc.cfg.Classes != 0 && bc.cfg.Classes != c.Classes:
		return usagef("--classes gives %d classes, but the model file has %d (the flag is for bare weights)", bc.cfg.Classes, c.Classes)
	case bc.names != nil && m.Classes != nil && strings.Join(bc.names, ",") != strings.Join(m.Classes, ","):
		return usagef("--classes %s, but the model file names its classes %s", strings.Join(bc.names, ","), strings.Join(m.Classes, ","))
	}
	if bc.names != nil && m.Classes == nil {
		m.Classes = bc.names // a file without names gets the flag's
	}
	return nil
}

// isBareWeights reports whether path is a safetensors file with none of
// the metadata simdnet's model files carry (keys under "simdnet.", see
// weights' package documentation): bare weights, which need the flags.
func isBareWeights(path string) bool {
	f, err := safetensors.ReadFile(path)
	if err != nil {
		return false
	}
	defer f.Close()
	for k := range f.Metadata() {
		if strings.HasPrefix(k, "simdnet.") {
			return false
		}
	}
	return true
}
