package onnx

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"google.golang.org/protobuf/proto"

	"github.com/simdnet/simdnet/onnx/internal/onnxpb"
)

// Limits on what a file may ask for, beyond its own size.
const (
	// MaxFileBytes is protobuf's own limit on a message: 2 GiB. Larger
	// models keep their weights in external data files.
	MaxFileBytes = 2<<30 - 1
	// MaxDim bounds each axis of the model's input.
	MaxDim = 1 << 16
	// MaxSampleElements bounds the elements of one sample of any tensor
	// the model computes.
	MaxSampleElements = 1 << 30
)

// Options configure Load.
type Options struct {
	// ChannelsLast makes the model take and give rank-4 tensors in NHWC,
	// simdnet's own layout, instead of the file's NCHW; no transpose then
	// runs at the boundary.
	ChannelsLast bool
	// InputShape, in the file's layout and without the batch axis, fixes
	// input axes the file leaves symbolic (such as the image size). Nil
	// uses the file's.
	InputShape []int
}

// Load reads an ONNX file and lowers it onto an ops.Graph. External data
// files are looked for beside it.
func Load(path string, opts Options) (*Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() > MaxFileBytes {
		return nil, &Error{File: path, Msg: fmt.Sprintf("%d bytes exceed protobuf's %d-byte limit", st.Size(), int64(MaxFileBytes))}
	}
	data := make([]byte, st.Size())
	if _, err := io.ReadFull(f, data); err != nil {
		return nil, &Error{File: path, Msg: err.Error()}
	}
	return load(path, filepath.Dir(path), data, opts)
}

// LoadBytes reads an ONNX model held in memory; name appears in errors.
// Such a model cannot refer to external data files.
func LoadBytes(name string, data []byte, opts Options) (*Model, error) {
	if len(data) > MaxFileBytes {
		return nil, &Error{File: name, Msg: fmt.Sprintf("%d bytes exceed protobuf's %d-byte limit", len(data), MaxFileBytes)}
	}
	return load(name, "", data, opts)
}

func load(name, dir string, data []byte, opts Options) (*Model, error) {
	var mp onnxpb.ModelProto
	if err := proto.Unmarshal(data, &mp); err != nil {
		return nil, &Error{File: name, Msg: fmt.Sprintf("not an ONNX model: %v", err)}
	}
	if mp.GetGraph() == nil {
		return nil, &Error{File: name, Msg: "the file holds no graph"}
	}
	opset, err := defaultOpset(&mp)
	if err != nil {
		return nil, &Error{File: name, Msg: err.Error()}
	}
	gp := mp.GetGraph()
	if u := checkOperators(gp.GetNode(), opset); len(u) > 0 {
		return nil, &UnsupportedError{File: name, Nodes: u}
	}
	order, oerr := topoOrder(gp)
	if oerr != nil {
		return nil, &Error{File: name, Node: oerr.node, Msg: oerr.msg}
	}
	ext := &externalData{dir: dir}
	defer ext.close()
	l := newLowerer(name, opset, opts)
	for _, tp := range gp.GetInitializer() {
		ref := fmt.Sprintf("initializer %q", tp.GetName())
		if tp.GetName() == "" {
			return nil, &Error{File: name, Node: ref, Msg: "has no name"}
		}
		if _, dup := l.vals[tp.GetName()]; dup {
			return nil, &Error{File: name, Node: ref, Msg: "is defined twice"}
		}
		t, err := decodeTensor(tp, ext.read)
		if err != nil {
			return nil, &Error{File: name, Node: ref, Msg: err.Error()}
		}
		l.vals[tp.GetName()] = &value{c: t}
	}
	if err := l.input(gp); err != nil {
		return nil, err
	}
	for _, n := range order {
		l.countUses(n)
	}
	for _, out := range gp.GetOutput() {
		l.uses[out.GetName()]++
	}
	for _, n := range order {
		if err := l.node(n); err != nil {
			return nil, err
		}
	}
	if len(l.unsupported) > 0 {
		return nil, &UnsupportedError{File: name, Nodes: l.unsupported}
	}
	m, err := l.finish(gp)
	if err != nil {
		return nil, err
	}
	m.Opset = opset
	m.Producer = mp.GetProducerName() + " " + mp.GetProducerVersion()
	return m, nil
}

// defaultOpset is the version of the default domain the model imports.
func defaultOpset(mp *onnxpb.ModelProto) (int64, error) {
	opset := int64(-1)
	for _, o := range mp.GetOpsetImport() {
		if o.GetDomain() == "" || o.GetDomain() == "ai.onnx" {
			opset = o.GetVersion()
		}
	}
	switch {
	case opset < 0:
		return 0, errors.New("imports no opset of the default domain")
	case opset < MinOpset || opset > MaxOpset:
		return 0, fmt.Errorf("opset %d is not supported (want %d to %d)", opset, MinOpset, MaxOpset)
	}
	return opset, nil
}

type orderErr struct{ node, msg string }

// topoOrder returns the nodes in an order where each comes after the nodes
// that compute its inputs (files are meant to be sorted already; some are
// not), or names a node whose input nothing computes or that lies on a
// cycle.
func topoOrder(gp *onnxpb.GraphProto) ([]*onnxpb.NodeProto, *orderErr) {
	nodes := gp.GetNode()
	producer := map[string]int{}
	for k, n := range nodes {
		for _, o := range n.GetOutput() {
			if o == "" {
				continue
			}
			if _, dup := producer[o]; dup {
				return nil, &orderErr{nodeRef(n.GetName(), n.GetOpType()), fmt.Sprintf("output %q is computed twice", o)}
			}
			producer[o] = k
		}
	}
	known := map[string]bool{}
	for _, t := range gp.GetInitializer() {
		known[t.GetName()] = true
	}
	for _, v := range gp.GetInput() {
		known[v.GetName()] = true
	}
	waiting := make([]int, len(nodes))
	readers := make([][]int, len(nodes))
	for k, n := range nodes {
		for _, in := range n.GetInput() {
			if in == "" {
				continue
			}
			p, ok := producer[in]
			switch {
			case ok && p == k:
				return nil, &orderErr{nodeRef(n.GetName(), n.GetOpType()), fmt.Sprintf("reads its own output %q", in)}
			case ok:
				waiting[k]++
				readers[p] = append(readers[p], k)
			case !known[in]:
				return nil, &orderErr{nodeRef(n.GetName(), n.GetOpType()), fmt.Sprintf("input %q is neither a graph input, an initializer nor any node's output", in)}
			}
		}
	}
	order := make([]*onnxpb.NodeProto, 0, len(nodes))
	var ready []int
	for k := range nodes {
		if waiting[k] == 0 {
			ready = append(ready, k)
		}
	}
	for len(ready) > 0 {
		k := ready[0]
		ready = ready[1:]
		order = append(order, nodes[k])
		for _, r := range readers[k] {
			if waiting[r]--; waiting[r] == 0 {
				ready = append(ready, r)
			}
		}
	}
	if len(order) < len(nodes) {
		for k, n := range nodes {
			if waiting[k] > 0 {
				return nil, &orderErr{nodeRef(n.GetName(), n.GetOpType()), "lies on a cycle of the graph"}
			}
		}
	}
	return order, nil
}

func noExternal(*onnxpb.TensorProto, int) ([]byte, error) {
	return nil, errors.New("external data is not allowed here")
}
