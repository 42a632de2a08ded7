package weights

import (
	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/resnet"
	"github.com/simdnet/simdnet/weights/safetensors"
)

// Checkpoint is a model with the rest of a training run's state.
type Checkpoint struct {
	*Model // the network, its configuration, class names and metadata (Meta)

	// Extra holds the tensors that are not parameters, by name: optimizer
	// moments such as "adam/m/conv1/kernel", a step counter as a scalar
	// (nil Shape). Never nil.
	Extra map[string]*ops.Tensor
}

// SaveCheckpoint writes a training checkpoint: the model as Save writes it,
// plus the extra tensors and the metadata strings (epoch, RNG state, history
// as JSON, ...; keys starting with "simdnet." are reserved). Extra names
// must differ from the parameters' "<layer>/<param>" names; a namespace such
// as "adam/..." keeps them apart. Options apply as for Save, so WithDtype
// narrows the extras too — keep the default F32 to resume exactly.
//
// The file is replaced atomically: a crash during the write leaves the
// previous checkpoint as it was.
func SaveCheckpoint(path string, g *ops.Graph, cfg resnet.Config, extra map[string]*ops.Tensor, meta map[string]string, opts ...SaveOption) error {
	sc := saveConfig{dtype: safetensors.F32}
	WithMeta(meta)(&sc)
	for _, o := range opts {
		o(&sc)
	}
	sc.extra = extra
	return save(path, g, cfg, &sc)
}

// LoadCheckpoint reads a file written by SaveCheckpoint (or Save, giving no
// extras) with everything copied into writable memory, ready to resume
// training. Errors are as for Load.
func LoadCheckpoint(path string) (*Checkpoint, error) {
	f, err := safetensors.ReadFile(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, extra, err := decode(f, false, true)
	if err != nil {
		return nil, err
	}
	return &Checkpoint{Model: m, Extra: extra}, nil
}
