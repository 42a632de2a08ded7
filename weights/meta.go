package weights

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/simdnet/simdnet/resnet"
)

// FormatVersion is the version of the model-file layout Save writes. Load
// reads files of this version and older, and refuses newer ones rather than
// guess at what they mean.
//
// Version 2 describes the graph itself, layer by layer, as a Keras
// model_config (see MarshalGraph), so any graph loads; the resnet.Config is
// optional. Version 1 files name a registered ResNet architecture and its
// configuration, from which Load builds the graph.
const FormatVersion = 2

// The __metadata__ keys this package owns. They share a prefix that user
// metadata may not use, so a checkpoint's free-form entries can never be
// mistaken for (or overwrite) the description of the model.
const (
	reservedPrefix = "simdnet."
	keyFormat      = reservedPrefix + "format"       // FormatVersion, decimal
	keyConfig      = reservedPrefix + "config"       // resnet.Config as JSON; required in version 1, optional in 2
	keyGraph       = reservedPrefix + "model_config" // the graph as a Keras model_config (version 2)
	keyClasses     = reservedPrefix + "classes"      // class names, a JSON array; absent when none
	keyExtra       = reservedPrefix + "extra"        // names of non-parameter tensors, a JSON array; absent when none
)

// header is what a model file's metadata says, decoded.
type header struct {
	version int
	config  *resnet.Config // nil when the file names no architecture
	graph   []byte         // the model_config JSON; nil in version 1 files
	classes []string
	extra   []string          // names of the tensors that are not parameters
	meta    map[string]string // everything outside the reserved prefix
}

// encode returns the metadata map for h.
func (h *header) encode() (map[string]string, error) {
	md := make(map[string]string, len(h.meta)+4)
	for k, v := range h.meta {
		if strings.HasPrefix(k, reservedPrefix) {
			return nil, fmt.Errorf("metadata key %q uses the reserved prefix %q", k, reservedPrefix)
		}
		md[k] = v
	}
	md[keyFormat] = strconv.Itoa(FormatVersion)
	if h.config != nil {
		cfg, err := json.Marshal(h.config)
		if err != nil {
			return nil, err
		}
		md[keyConfig] = string(cfg)
	}
	if h.graph == nil {
		return nil, fmt.Errorf("no graph description")
	}
	md[keyGraph] = string(h.graph)
	if h.classes != nil {
		b, err := json.Marshal(h.classes)
		if err != nil {
			return nil, err
		}
		md[keyClasses] = string(b)
	}
	if len(h.extra) > 0 {
		names := slices.Sorted(slices.Values(h.extra)) // deterministic files
		b, err := json.Marshal(names)
		if err != nil {
			return nil, err
		}
		md[keyExtra] = string(b)
	}
	return md, nil
}

// decodeHeader reads a model file's metadata. Its errors say what is wrong
// without the file name, which the caller adds.
func decodeHeader(md map[string]string) (*header, error) {
	v, ok := md[keyFormat]
	if !ok {
		return nil, fmt.Errorf("not a simdnet model file: no %q in the metadata (use Assign to load bare weights)", keyFormat)
	}
	version, err := strconv.Atoi(v)
	switch {
	case err != nil || version < 1:
		return nil, fmt.Errorf("bad format version %q", v)
	case version > FormatVersion:
		return nil, fmt.Errorf("format version %d is newer than this simdnet's %d", version, FormatVersion)
	}
	h := &header{version: version, meta: map[string]string{}}
	if raw, ok := md[keyGraph]; ok && version >= 2 {
		h.graph = []byte(raw)
	} else if version >= 2 {
		return nil, fmt.Errorf("no %q in the metadata", keyGraph)
	}
	if raw, ok := md[keyConfig]; ok {
		h.config = new(resnet.Config)
		if err := strictUnmarshal(raw, h.config); err != nil {
			return nil, fmt.Errorf("%s: %v", keyConfig, err)
		}
	} else if version < 2 {
		return nil, fmt.Errorf("no %q in the metadata", keyConfig)
	}
	if raw, ok := md[keyClasses]; ok {
		if err := strictUnmarshal(raw, &h.classes); err != nil {
			return nil, fmt.Errorf("%s: %v", keyClasses, err)
		}
		if h.classes == nil { // "null": keep "has class names" meaning non-nil
			h.classes = []string{}
		}
	}
	if raw, ok := md[keyExtra]; ok {
		if err := strictUnmarshal(raw, &h.extra); err != nil {
			return nil, fmt.Errorf("%s: %v", keyExtra, err)
		}
	}
	for k, v := range md {
		if !strings.HasPrefix(k, reservedPrefix) {
			h.meta[k] = v
		}
	}
	return h, nil
}

// strictUnmarshal decodes JSON that must be exactly one value of v's type,
// with no unknown fields: a config a newer writer extended should fail
// loudly here rather than build a different model.
func strictUnmarshal(s string, v any) error {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("trailing data after the JSON value")
	}
	return nil
}
