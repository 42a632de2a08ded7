package weights

import (
	"fmt"
	"slices"
	"sync"

	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/resnet"
)

// Limits on a configuration read from a file; see checkLoadable.
const (
	maxInputValues   = 1 << 24 // per sample: 4096×4096 grey or 2364×2364 RGB, far beyond any ResNet classifier's
	maxInputChannels = 4096    // the stem's kernel grows with them
	// looseFactor is how many times the file's size the classifier may
	// cost, by an upper bound that needs no model, before checkLoadable
	// measures it exactly.
	looseFactor = 16
)

// tensorStats summarises the tensors a model is to be loaded from.
type tensorStats struct {
	largest int // elements of the largest tensor
	total   int // elements of all tensors
}

func statsOf(ts []TensorInfo) tensorStats {
	var s tensorStats
	for _, t := range ts {
		n := elements(t.Shape)
		s.largest = max(s.largest, n)
		s.total = min(s.total+n, maxElements)
	}
	return s
}

// maxElements caps element counts: no tensor can hold more (2^40 float32
// values are 4 TiB), and sums of capped counts cannot overflow.
const maxElements = 1 << 40

// elements returns the product of shape, saturating at maxElements. A
// safetensors header's shapes are checked against the file's size, but an
// HDF5 dataset's declared dimensions are only checked when it is read, so
// a hostile one could otherwise overflow the product.
func elements(shape []int) int {
	n := 1
	for _, d := range shape {
		if d <= 0 {
			return 0
		}
		if n > maxElements/d {
			return maxElements
		}
		n *= d
	}
	return n
}

// checkLoadable vets a configuration read from a possibly hostile file
// before the model is built. Building allocates and initialises every
// parameter before a single weight can be compared with the file, and the
// classifier's kernel grows with the input size times the number of
// classes, so unchecked numbers in a small file could demand terabytes.
//
// The classifier's bias is one of the file's tensors, so there cannot be
// more classes than the largest tensor has values; the input size and
// channels are capped. Then the classifier's size is bounded from above by
// the architecture's widest stage times the input's pixels times the
// classes; only when that bound exceeds the file many times over is the
// classifier's input width measured exactly, on a one-class build, and the
// classifier then has to fit in the largest tensor. (ops has no way to
// learn a model's parameter shapes without allocating them, which would
// make this exact and free.)
func checkLoadable(cfg resnet.Config, st tensorStats) error {
	n := 1
	for _, d := range cfg.InputShape {
		if d < 1 || d > maxInputValues {
			return fmt.Errorf("input shape %v: dimensions must be in [1, %d]", cfg.InputShape, maxInputValues)
		}
		n *= d // < 2^48: both factors were capped at 2^24
		if n > maxInputValues {
			return fmt.Errorf("input shape %v exceeds %d values per sample", cfg.InputShape, maxInputValues)
		}
	}
	if c := cfg.InputShape[2]; c > maxInputChannels {
		return fmt.Errorf("input shape %v has more than %d channels", cfg.InputShape, maxInputChannels)
	}
	if cfg.Classes < 1 || cfg.Classes > st.largest {
		return fmt.Errorf("%d classes, but the largest tensor holds %d values", cfg.Classes, st.largest)
	}
	arch, ok := resnet.Lookup(cfg.Arch)
	if !ok {
		return nil // Build names the unknown architecture
	}
	widest := 0
	for _, s := range arch.Stages {
		for _, f := range append(s.Filters, s.IdentityFilters...) {
			widest = max(widest, f)
		}
	}
	pixels := cfg.InputShape[0] * cfg.InputShape[1]
	if float64(widest)*float64(pixels)*float64(cfg.Classes) <= looseFactor*float64(st.total)+(1<<20) {
		return nil
	}
	in, err := classifierWidth(cfg)
	if err != nil {
		return err
	}
	if float64(in)*float64(cfg.Classes) > float64(st.largest) {
		return fmt.Errorf("the classifier would have %d×%d weights, more than the largest tensor holds (%d)", in, cfg.Classes, st.largest)
	}
	return nil
}

// widthCache maps a configuration, its seed and classes zeroed, to the
// input width of its classifier.
var widthCache sync.Map // resnet.Config → int

// classifierWidth returns the number of features the model's output layer
// takes, measured on a one-class build, whose classifier is as small as it
// gets.
func classifierWidth(cfg resnet.Config) (int, error) {
	cfg.Seed, cfg.Classes = 0, 0
	if v, ok := widthCache.Load(cfg); ok {
		return v.(int), nil
	}
	probe := cfg
	probe.Classes = 1
	g, err := probe.Build()
	if err != nil {
		return 0, err
	}
	d, ok := g.OutputNode().Layer.(*ops.Dense)
	if !ok {
		return 0, fmt.Errorf("%s: the output layer is a %s, not Dense", cfg.Arch, g.OutputNode().Layer.Class())
	}
	widthCache.Store(cfg, d.InFeatures())
	return d.InFeatures(), nil
}

// shapeCache maps a configuration, its seed zeroed, to the parameters its
// model has: the memory of checkGraph.
var shapeCache sync.Map // resnet.Config → []target

// targetsOfConfig returns the names and shapes of the parameters the model
// cfg describes, in graph order. The first call for a configuration builds
// the model; later ones are free, so a training loop can save a checkpoint
// every epoch without rebuilding.
func targetsOfConfig(cfg resnet.Config) ([]target, error) {
	cfg.Seed = 0 // weights' values do not change their shapes
	if v, ok := shapeCache.Load(cfg); ok {
		return v.([]target), nil
	}
	g, err := cfg.Build()
	if err != nil {
		return nil, err
	}
	ts := targetsOf(g.Params())
	for i := range ts {
		ts[i].shape = slices.Clone(ts[i].shape) // keep no reference into the graph
	}
	shapeCache.Store(cfg, ts)
	return ts, nil
}

// checkGraph reports whether g has exactly the parameters cfg builds, so
// that the file at path, to be saved from g under cfg, can be loaded.
func checkGraph(g *ops.Graph, cfg resnet.Config, path string) error {
	want, err := targetsOfConfig(cfg)
	if err != nil {
		return fmt.Errorf("weights: save %s: %w", path, err)
	}
	params := g.Params()
	have := make([]TensorInfo, len(params))
	for i, p := range params {
		have[i] = TensorInfo{Name: TensorName(p), Shape: p.Shape, Dtype: "float32", Float: true}
	}
	if ms := match(want, have); len(ms) > 0 {
		name := g.Name
		if name == "" {
			name = "unnamed"
		}
		return &MismatchError{Source: fmt.Sprintf("graph %s to be saved as %s", name, path), Model: cfg.Arch, Mismatches: ms}
	}
	return nil
}
