package train

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/resnet"
	"github.com/simdnet/simdnet/train/data"
	"github.com/simdnet/simdnet/weights"
	"github.com/simdnet/simdnet/weights/safetensors"
)

// A checkpoint is a safetensors file holding the whole state of a training
// run (and, given FitConfig.ModelConfig, a model file that weights.Load
// reads like any other):
//
//   - every parameter under its Keras name "<layer>/<param>", trainable or
//     not, so BatchNormalization's moving statistics are included;
//   - the optimizer's state under the optimizer's own names
//     ("adam/m/conv1/kernel", "adam/iterations", ...);
//   - in the metadata, the run's position and settings (metaState) and its
//     history (metaHistory), as JSON.
//
// Nothing else is needed to resume: the order of batches and the
// augmentation are drawn from the seed, epoch and image index alone.
const (
	metaState   = "train.state"
	metaHistory = "train.history"

	checkpointVersion = 1
)

// runState is where a training run stands and the settings that fix its
// batches; a resume must use the same settings to replay them.
type runState struct {
	Version int `json:"version"`

	Epoch int `json:"epoch"` // the epoch in progress or next to run, from 0
	Batch int `json:"batch"` // batches of Epoch already done

	// Running sums of Epoch's batches so far, and the time they took.
	LossSum float64 `json:"loss_sum"` // Σ batch loss × batch size
	Correct int     `json:"correct"`
	Count   int     `json:"count"`
	Elapsed float64 `json:"elapsed_seconds"`

	runSettings
}

// runSettings are what a resumed run must share with the checkpoint to
// continue it bit for bit: those Fit knows, and the caller's own.
type runSettings struct {
	Seed      uint64             `json:"seed"`
	BatchSize int                `json:"batch_size"`
	Samples   int                `json:"samples"` // in the training set
	Shuffle   bool               `json:"shuffle"`
	Augment   *data.Augmentation `json:"augment,omitempty"`
	// Settings are FitConfig.Settings: the learning rate, schedule,
	// epochs, architecture, data set identity, ... that Fit cannot see.
	Settings map[string]string `json:"settings,omitempty"`
}

// differences lists how the settings of a checkpoint (s) differ from those
// of the run that wants to resume it, one phrase each, in a fixed order.
func (s runSettings) differences(want runSettings) []string {
	var diffs []string
	check := func(name string, got, want any) {
		if got != want {
			diffs = append(diffs, fmt.Sprintf("%s %v (this run: %v)", name, got, want))
		}
	}
	check("seed", s.Seed, want.Seed)
	check("batch size", s.BatchSize, want.BatchSize)
	check("training samples", s.Samples, want.Samples)
	check("shuffle", s.Shuffle, want.Shuffle)
	var got, wanted data.Augmentation
	if s.Augment != nil {
		got = *s.Augment
	}
	if want.Augment != nil {
		wanted = *want.Augment
	}
	check("augmentation", got, wanted)
	keys := slices.Sorted(maps.Keys(s.Settings))
	for _, k := range slices.Sorted(maps.Keys(want.Settings)) {
		if _, ok := s.Settings[k]; !ok {
			keys = append(keys, k)
		}
	}
	for _, k := range keys {
		g, inCkpt := s.Settings[k]
		w, inRun := want.Settings[k]
		switch {
		case !inCkpt:
			diffs = append(diffs, fmt.Sprintf("%s not recorded (this run: %s)", k, w))
		case !inRun:
			diffs = append(diffs, fmt.Sprintf("%s %s (this run: not set)", k, g))
		case g != w:
			diffs = append(diffs, fmt.Sprintf("%s %s (this run: %s)", k, g, w))
		}
	}
	return diffs
}

// sameBatches reports whether two runs draw the same batches in every
// epoch, so that a position inside an epoch means the same in both.
func (s runSettings) sameBatches(o runSettings) bool {
	return s.Seed == o.Seed && s.BatchSize == o.BatchSize && s.Samples == o.Samples && s.Shuffle == o.Shuffle
}

// SettingsError is Fit's refusal to resume a checkpoint made with other
// settings (FitConfig.ResumeAnyway overrides it).
type SettingsError struct {
	Checkpoint  string
	Differences []string // one phrase each: "batch size 32 (this run: 16)"
}

func (e *SettingsError) Error() string {
	return fmt.Sprintf("train: checkpoint %s was made with other settings: %s", e.Checkpoint, strings.Join(e.Differences, ", "))
}

// saveCheckpoint writes the trainer's weights and optimizer state, st and
// h to path. The file is replaced atomically (a temporary file in the same
// folder, synced, then renamed), so an interruption at any moment leaves
// either the previous checkpoint or the new one.
//
// With the configuration the graph was built from (model not nil) the file
// is a model file as weights.SaveCheckpoint writes it, which weights.Load,
// "simdnet eval" and "simdnet predict" read as they read a model, the
// optimizer's tensors ignored, with the class names when there is one per
// output. Without one it holds the same tensors and metadata but no
// description of the network, so only Fit resumes it.
func saveCheckpoint(path string, t *Trainer, st runState, h *History, model *resnet.Config, classes []string) error {
	st.Version = checkpointVersion
	params := Params(t.Graph())
	state := t.Optimizer().State(params)
	stJSON, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("train: checkpoint %s: %w", path, err)
	}
	hJSON, err := json.Marshal(h)
	if err != nil {
		return fmt.Errorf("train: checkpoint %s: %w", path, err)
	}
	meta := map[string]string{metaState: string(stJSON), metaHistory: string(hJSON)}
	if model != nil {
		extra := make(map[string]*ops.Tensor, len(state))
		for name, v := range state {
			extra[name] = &ops.Tensor{Shape: ops.Shape{len(v)}, Data: v}
		}
		var opts []weights.SaveOption
		if len(classes) == model.Classes {
			opts = append(opts, weights.WithClasses(classes...))
		}
		if err := weights.SaveCheckpoint(path, t.Graph(), *model, extra, meta, opts...); err != nil {
			return fmt.Errorf("train: checkpoint: %w", err)
		}
		return nil
	}
	tensors := make([]safetensors.Tensor, 0, len(params)+len(state))
	for _, p := range params {
		tensors = append(tensors, safetensors.Tensor{Name: p.Key(), Shape: []int(p.Param.Shape), Values: p.Param.Value})
	}
	for name, v := range state {
		tensors = append(tensors, safetensors.Tensor{Name: name, Shape: []int{len(v)}, Values: v})
	}
	if err := safetensors.WriteFile(path, tensors, meta); err != nil {
		return fmt.Errorf("train: checkpoint: %w", err)
	}
	return nil
}

// loadCheckpoint restores the trainer's weights and optimizer state from
// path and returns the run's state and history. It checks everything
// before changing anything — the run's state with accept too, when not
// nil — so on error the trainer is as it was.
func loadCheckpoint(path string, t *Trainer, accept func(runState) error) (runState, *History, error) {
	var st runState
	f, err := safetensors.ReadFile(path)
	if err != nil {
		return st, nil, fmt.Errorf("train: checkpoint: %w", err)
	}
	defer f.Close()
	h := new(History)
	meta := f.Metadata()
	if err := unmarshalMeta(meta, metaState, &st); err != nil {
		return st, nil, fmt.Errorf("train: checkpoint %s: %w", path, err)
	}
	if st.Version != checkpointVersion {
		return st, nil, fmt.Errorf("train: checkpoint %s: version %d, this program reads version %d", path, st.Version, checkpointVersion)
	}
	if err := unmarshalMeta(meta, metaHistory, h); err != nil {
		return st, nil, fmt.Errorf("train: checkpoint %s: %w", path, err)
	}
	if err := h.Validate(); err != nil {
		return st, nil, fmt.Errorf("train: checkpoint %s: %w", path, err)
	}
	if accept != nil {
		if err := accept(st); err != nil {
			return st, nil, err
		}
	}

	params := Params(t.Graph())
	if err := checkParams(f, params); err != nil {
		return st, nil, fmt.Errorf("train: checkpoint %s does not fit the model: %w", path, err)
	}
	isParam := make(map[string]bool, len(params))
	for _, p := range params {
		isParam[p.Key()] = true
	}
	state := map[string][]float32{}
	for _, name := range f.Names() {
		if isParam[name] {
			continue
		}
		v, err := f.Float32(name)
		if err != nil {
			return st, nil, fmt.Errorf("train: checkpoint: %w", err)
		}
		state[name] = slices.Clone(v) // v may alias the file, closed on return
	}
	if err := t.Optimizer().LoadState(params, state); err != nil {
		return st, nil, fmt.Errorf("train: checkpoint %s: %w", path, err)
	}
	for _, p := range params {
		if err := f.Float32Into(p.Param.Value, p.Key()); err != nil {
			return st, nil, fmt.Errorf("train: checkpoint: %w", err) // checked above: cannot happen
		}
	}
	return st, h, nil
}

// checkParams reports every parameter that the file lacks or stores with
// another shape or a non-float type.
func checkParams(f *safetensors.File, params []NamedParam) error {
	var problems []string
	for _, p := range params {
		info, ok := f.Tensor(p.Key())
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("%s missing", p.Key()))
		case !slices.Equal(info.Shape, []int(p.Param.Shape)):
			problems = append(problems, fmt.Sprintf("%s has shape %v in the file, %v in the model", p.Key(), ops.Shape(info.Shape), p.Param.Shape))
		case !info.Dtype.IsFloat():
			problems = append(problems, fmt.Sprintf("%s has dtype %v", p.Key(), info.Dtype))
		}
	}
	if problems == nil {
		return nil
	}
	return errors.New(strings.Join(problems, "; "))
}

// unmarshalMeta decodes the JSON metadata entry key into v.
func unmarshalMeta(meta map[string]string, key string, v any) error {
	s, ok := meta[key]
	if !ok {
		return fmt.Errorf("no %q metadata: not a training checkpoint", key)
	}
	if err := json.Unmarshal([]byte(s), v); err != nil {
		return fmt.Errorf("metadata %q: %w", key, err)
	}
	return nil
}
