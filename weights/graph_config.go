package weights

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/simdnet/simdnet/ops"
)

// A model file describes its graph as Keras's model.to_json() does (the
// model_config of a Keras HDF5 file): a Functional model whose layers each
// carry class_name, config (with the layer's name and arguments) and
// inbound_nodes, the layers whose outputs it takes,
//
//	{"class_name": "Functional", "config": {"name": "model",
//	  "layers": [
//	    {"class_name": "InputLayer", "name": "input_1", "inbound_nodes": [],
//	     "config": {"name": "input_1", "batch_input_shape": [null, 64, 64, 3], ...}},
//	    {"class_name": "Conv2D", "name": "conv1", "inbound_nodes": [[["input_1", 0, 0, {}]]],
//	     "config": {"name": "conv1", "filters": 64, "kernel_size": [7, 7], ...}},
//	    ...],
//	  "input_layers": [["input_1", 0, 0]], "output_layers": [["fc", 0, 0]]}}
//
// Layers describe themselves (ops.Configurable) and are rebuilt through
// ops' registry (ops.RegisterLayer), so any graph of registered layers
// round-trips, whoever built it.

// DefaultMaxActivation is the most values per sample one layer's output may
// have in a graph read from a file, unless raised with WithMaxActivation:
// 2^26, 256 MiB of float32 per image, sixteen times a 1024×1024×16 feature
// map. Running a model allocates its activations, so a few bytes of config
// (a ZeroPadding2D of 10^9) could otherwise demand terabytes later.
const DefaultMaxActivation = 1 << 26

// kerasModelJSON is a Functional model_config.
type kerasModelJSON struct {
	ClassName string `json:"class_name"`
	Config    struct {
		Name         string            `json:"name"`
		Layers       []kerasLayerEntry `json:"layers"`
		InputLayers  json.RawMessage   `json:"input_layers"`
		OutputLayers json.RawMessage   `json:"output_layers"`
	} `json:"config"`
}

// kerasLayerEntry is one element of "layers".
type kerasLayerEntry struct {
	ClassName    string          `json:"class_name"`
	Name         string          `json:"name"`
	Config       json.RawMessage `json:"config"`
	InboundNodes json.RawMessage `json:"inbound_nodes"`
}

// MarshalGraph describes g as a Keras Functional model_config: its layers
// in Keras's Model.layers order, each with its config and inbound node. It
// fails, naming the layer, when a layer cannot describe itself.
func MarshalGraph(g *ops.Graph) ([]byte, error) {
	if err := g.Build(); err != nil {
		return nil, err
	}
	type layerOut struct {
		ClassName    string         `json:"class_name"`
		Name         string         `json:"name"`
		Config       map[string]any `json:"config"`
		InboundNodes []any          `json:"inbound_nodes"`
	}
	var model struct {
		ClassName string `json:"class_name"`
		Config    struct {
			Name         string     `json:"name"`
			Layers       []layerOut `json:"layers"`
			InputLayers  [][]any    `json:"input_layers"`
			OutputLayers [][]any    `json:"output_layers"`
		} `json:"config"`
	}
	model.ClassName = "Functional"
	model.Config.Name = g.Name
	if model.Config.Name == "" {
		model.Config.Name = "model"
	}
	for _, l := range g.Layers() {
		class, cfg, err := ops.LayerConfigOf(l)
		if err != nil {
			return nil, err
		}
		n := g.Node(l.LayerName()) // names are unique in a graph
		inbound := []any{}
		if len(n.Inputs) > 0 {
			call := make([]any, len(n.Inputs))
			for i, in := range n.Inputs {
				call[i] = []any{in.Name(), 0, 0, map[string]any{}}
			}
			inbound = []any{call}
		}
		model.Config.Layers = append(model.Config.Layers, layerOut{ClassName: class, Name: l.LayerName(), Config: cfg, InboundNodes: inbound})
	}
	model.Config.InputLayers = [][]any{{g.InputNode().Name(), 0, 0}}
	model.Config.OutputLayers = [][]any{{g.OutputNode().Name(), 0, 0}}
	return json.Marshal(model)
}

// graphLimits bounds what UnmarshalGraph may build from an untrusted
// config.
type graphLimits struct {
	// params returns the parameter values the named layer may allocate
	// (< 0: no bound).
	params func(layer string) int
	// activation bounds each layer's output values per sample.
	activation int
}

// UnmarshalGraph builds the graph a model_config describes (as MarshalGraph
// writes it, or Keras 2 for the layers ops has), with weights initialised
// from seed as the builder would. Errors name the layer at fault: an
// unknown class, a missing or mistyped argument, an inbound node that names
// no layer or closes a cycle. Each layer's output may hold at most
// DefaultMaxActivation values per sample.
func UnmarshalGraph(data []byte, seed uint64) (*ops.Graph, error) {
	return unmarshalGraph(data, &seed, graphLimits{params: func(string) int { return -1 }, activation: DefaultMaxActivation})
}

// unmarshalGraph is UnmarshalGraph with limits; a nil seed leaves the
// weights zero, for weights about to be loaded.
func unmarshalGraph(data []byte, seed *uint64, lim graphLimits) (*ops.Graph, error) {
	var m kerasModelJSON
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("model config: %v", err)
	}
	switch m.ClassName {
	case "Functional", "Model":
	default:
		return nil, fmt.Errorf("model config: class_name %q, want a Functional model", m.ClassName)
	}
	layers := m.Config.Layers
	if len(layers) == 0 {
		return nil, errors.New("model config: no layers")
	}
	index := make(map[string]int, len(layers))
	inputs := make([][]string, len(layers))
	for i, l := range layers {
		if l.Name == "" {
			l.Name = configName(l.Config)
			layers[i].Name = l.Name
		}
		if l.Name == "" {
			return nil, fmt.Errorf("model config: layer %d (%s) has no name", i, l.ClassName)
		}
		if _, dup := index[l.Name]; dup {
			return nil, fmt.Errorf("model config: layer name %q is used twice", l.Name)
		}
		if n := configName(l.Config); n != "" && n != l.Name {
			return nil, fmt.Errorf("model config: layer %q has config name %q", l.Name, n)
		}
		index[l.Name] = i
		in, err := inboundNames(l.InboundNodes)
		if err != nil {
			return nil, fmt.Errorf("model config: layer %q (%s): inbound_nodes: %v", l.Name, l.ClassName, err)
		}
		inputs[i] = in
	}
	order, err := topoOrder(layers, inputs, index)
	if err != nil {
		return nil, err
	}
	inName, err := singleEndpoint(m.Config.InputLayers, "input_layers", index)
	if err != nil {
		return nil, err
	}
	outName, err := singleEndpoint(m.Config.OutputLayers, "output_layers", index)
	if err != nil {
		return nil, err
	}

	var g *ops.Graph
	if seed != nil {
		g = ops.NewGraph(*seed)
	} else {
		g = ops.NewGraph(0)
	}
	g.Name = m.Config.Name
	nodes := make([]*ops.Node, len(layers))
	for _, i := range order {
		l := layers[i]
		in := make([]*ops.Node, len(inputs[i]))
		shapes := make([]ops.Shape, len(inputs[i]))
		for j, name := range inputs[i] {
			in[j] = nodes[index[name]]
			shapes[j] = in[j].Shape
		}
		if (l.ClassName == "InputLayer") != (l.Name == inName) {
			return nil, fmt.Errorf("model config: layer %q (%s): the model's input must be its one InputLayer (input_layers names %q)", l.Name, l.ClassName, inName)
		}
		spec, err := ops.NewLayerSpec(l.ClassName, l.Name, l.Config, shapes, lim.params(l.Name))
		if err != nil {
			return nil, err
		}
		if seed != nil {
			spec.RNG = ops.LayerRNG(*seed, len(g.Nodes()))
		}
		built, err := ops.BuildLayer(spec)
		if err != nil {
			return nil, err
		}
		var n *ops.Node
		if input, ok := built.(*ops.Input); ok {
			n = g.Input(input.Name, input.Shape...)
		} else {
			n = g.Apply(built, in...)
		}
		if n == nil {
			return nil, g.Err()
		}
		if v := activationValues(n.Shape); v > lim.activation {
			return nil, fmt.Errorf("ops: layer %q (%s): output shape %v has more than %d values per sample (see WithMaxActivation)", l.Name, l.ClassName, n.Shape.Keras(), lim.activation)
		}
		nodes[i] = n
	}
	g.SetOutput(nodes[index[outName]])
	if err := g.Build(); err != nil {
		return nil, err
	}
	return g, nil
}

// configName returns config's "name", or "" when it has none.
func configName(config json.RawMessage) string {
	var c struct {
		Name string `json:"name"`
	}
	json.Unmarshal(config, &c) // a bad config is reported by the layer's builder
	return c.Name
}

// inboundNames reads a layer's inbound_nodes in Keras 2's form, [] or
// [[[name, 0, 0, {}], ...]]: one call of the layer (ops has no shared
// layers) on the first output of each named layer.
func inboundNames(raw json.RawMessage) ([]string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var calls [][][]any
	if err := json.Unmarshal(raw, &calls); err != nil {
		return nil, fmt.Errorf("want [[[layer, 0, 0, {}], ...]]: %v", err)
	}
	switch len(calls) {
	case 0:
		return nil, nil
	case 1:
	default:
		return nil, fmt.Errorf("the layer is called %d times; shared layers are not supported", len(calls))
	}
	if len(calls[0]) == 0 {
		return nil, errors.New("a call with no inputs")
	}
	names := make([]string, len(calls[0]))
	for i, ref := range calls[0] {
		if len(ref) < 3 {
			return nil, fmt.Errorf("input %d: want [layer, node index, tensor index, kwargs]", i)
		}
		name, ok := ref[0].(string)
		if !ok {
			return nil, fmt.Errorf("input %d: layer name %v is not a string", i, ref[0])
		}
		if ref[1] != 0.0 || ref[2] != 0.0 {
			return nil, fmt.Errorf("input %d: node %v, tensor %v of %q; only the first output of a layer's only call is supported", i, ref[1], ref[2], name)
		}
		if len(ref) > 3 {
			if kw, ok := ref[3].(map[string]any); !ok || len(kw) > 0 {
				return nil, fmt.Errorf("input %d: call arguments %v are not supported", i, ref[3])
			}
		}
		names[i] = name
	}
	return names, nil
}

// topoOrder orders the layers so that each comes after its inputs, or
// reports an input that names no layer or a cycle, naming a layer on it.
func topoOrder(layers []kerasLayerEntry, inputs [][]string, index map[string]int) ([]int, error) {
	const (
		unseen = iota
		active
		done
	)
	state := make([]uint8, len(layers))
	order := make([]int, 0, len(layers))
	// An explicit stack: a hostile config may chain a million layers.
	type frame struct{ layer, next int }
	for root := range layers {
		if state[root] != unseen {
			continue
		}
		stack := []frame{{root, 0}}
		state[root] = active
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			l := top.layer
			if top.next == len(inputs[l]) {
				state[l] = done
				order = append(order, l)
				stack = stack[:len(stack)-1]
				continue
			}
			name := inputs[l][top.next]
			top.next++
			j, ok := index[name]
			if !ok {
				return nil, fmt.Errorf("model config: layer %q (%s): inbound node %q names no layer", layers[l].Name, layers[l].ClassName, name)
			}
			switch state[j] {
			case active:
				return nil, fmt.Errorf("model config: layer %q (%s): inbound node %q closes a cycle", layers[l].Name, layers[l].ClassName, name)
			case unseen:
				state[j] = active
				stack = append(stack, frame{j, 0})
			}
		}
	}
	return order, nil
}

// singleEndpoint reads input_layers or output_layers, [[name, 0, 0]] (or
// [name, 0, 0] for one endpoint, as some Keras versions write), which must
// name one layer of the model.
func singleEndpoint(raw json.RawMessage, key string, index map[string]int) (string, error) {
	name := outputLayerName(raw)
	if name == "" {
		return "", fmt.Errorf("model config: %s must name exactly one layer, got %s", key, abbreviate(raw))
	}
	if _, ok := index[name]; !ok {
		return "", fmt.Errorf("model config: %s names %q, which is not a layer", key, name)
	}
	return name, nil
}

// abbreviate shortens raw JSON for an error message.
func abbreviate(raw []byte) string {
	const max = 60
	if len(raw) > max {
		return string(raw[:max]) + "..."
	}
	if len(raw) == 0 {
		return "nothing"
	}
	return string(raw)
}

// activationValues is the product of shape, saturating well above any
// limit.
func activationValues(s ops.Shape) int {
	return elements(s)
}

// layerBudgets returns, for each layer, the values of the tensors ts holds
// under "<layer>/": a layer may allocate no more parameters than the file
// stores for it.
func layerBudgets(ts []TensorInfo) func(string) int {
	budget := map[string]int{}
	for _, t := range ts {
		i := strings.LastIndexByte(t.Name, '/')
		if i < 0 {
			continue
		}
		budget[t.Name[:i]] = min(budget[t.Name[:i]]+elements(t.Shape), maxElements)
	}
	return func(layer string) int { return budget[layer] }
}
