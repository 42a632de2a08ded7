package plan

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/simdnet/simdnet/quant"
)

// QuantMetaKey is the model-file metadata key (weights.WithMeta) under
// which an int8 model keeps its quantization: the float weights stay as
// they are, and loading compiles an int8 plan from them and this table.
const QuantMetaKey = "int8.quantization"

// quantMeta is QuantMetaKey's JSON.
type quantMeta struct {
	Version   int                     `json:"version"`
	Method    string                  `json:"method"`
	Images    int                     `json:"images"`
	KeepFirst bool                    `json:"keep_first"`
	KeepLast  bool                    `json:"keep_last"`
	Params    map[string]quant.Params `json:"params"`
}

// QuantInfo is how an int8 model was calibrated, for its metadata.
type QuantInfo struct {
	Method string // calibration method
	Images int    // calibration images
}

// EncodeQuantMeta is the metadata that makes a model file an int8 one.
func EncodeQuantMeta(qo *QuantOptions, info QuantInfo) (map[string]string, error) {
	b, err := json.Marshal(quantMeta{Version: 1, Method: info.Method, Images: info.Images,
		KeepFirst: qo.KeepFirst, KeepLast: qo.KeepLast, Params: qo.Params})
	if err != nil {
		return nil, err
	}
	return map[string]string{QuantMetaKey: string(b)}, nil
}

// DecodeQuantMeta reads an int8 model file's quantization from its
// metadata: nil, nil for a float model; an error naming the tensor for a
// table that cannot be right.
func DecodeQuantMeta(meta map[string]string) (*QuantOptions, QuantInfo, error) {
	s, ok := meta[QuantMetaKey]
	if !ok {
		return nil, QuantInfo{}, nil
	}
	var m quantMeta
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil, QuantInfo{}, fmt.Errorf("metadata %s: %w", QuantMetaKey, err)
	}
	if m.Version != 1 {
		return nil, QuantInfo{}, fmt.Errorf("metadata %s: version %d, this build reads version 1", QuantMetaKey, m.Version)
	}
	if len(m.Params) == 0 {
		return nil, QuantInfo{}, fmt.Errorf("metadata %s: no tensor parameters", QuantMetaKey)
	}
	for _, k := range slices.Sorted(maps.Keys(m.Params)) {
		if err := m.Params[k].Validate(); err != nil {
			return nil, QuantInfo{}, fmt.Errorf("metadata %s: tensor %q: %w", QuantMetaKey, k, err)
		}
	}
	return &QuantOptions{Params: m.Params, KeepFirst: m.KeepFirst, KeepLast: m.KeepLast}, QuantInfo{Method: m.Method, Images: m.Images}, nil
}
