package weights

import (
	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/resnet"
	"github.com/simdnet/simdnet/weights/safetensors"
)

// Model is a network loaded from a model file, with what describes it.
type Model struct {
	Graph *ops.Graph
	// Config is the registered ResNet configuration the model was saved
	// with (WithArch, or any format-1 file). For other graphs Arch is empty
	// and the rest describes the graph where it can: InputShape for an
	// image input, Classes for a vector output.
	Config  resnet.Config
	Classes []string          // the class names, in output order; nil when the file has none
	Meta    map[string]string // the file's free-form metadata (see WithMeta); never nil

	// file is the mapping a ReadOnly model's parameters alias; nil when
	// they were copied.
	file *safetensors.File
}

// Close releases the file mapping of a model loaded with ReadOnly. It first
// cuts the parameters loose (their Values become nil), so that a model used
// after Close fails with an error instead of reading unmapped memory; see
// ReadOnly. For any other model it does nothing. Close is idempotent.
//
// The alternative, keeping the mapping until nothing refers to it, is not
// open to Go code: the mapping is not Go memory, so the garbage collector
// cannot tell when the last slice into it dies, and a server reloading
// models would leak one mapping per reload.
func (m *Model) Close() error {
	if m.file == nil {
		return nil
	}
	for _, p := range m.Graph.Params() {
		p.Value = nil
	}
	f := m.file
	m.file = nil
	return f.Close()
}

// TensorName is the name a parameter is stored under: "<layer>/<param>",
// e.g. "conv1/kernel" — the Keras weight name without Keras's ":0".
func TensorName(p ops.NamedParam) string { return p.Layer + "/" + p.Name }
