package train

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/simdnet/simdnet/ops"
)

// Optimizer updates trainable parameters from their gradients.
type Optimizer interface {
	// Update takes one step: params[i] moves along -grads[i]. Parameters
	// that are not trainable are left alone.
	Update(params []*ops.Param, grads [][]float32)
	// SetLearningRate and LearningRate set and read the base learning rate.
	// It is kept in float32, as Keras keeps it, so that a checkpoint holds
	// it exactly.
	SetLearningRate(lr float64)
	LearningRate() float64
	// Iterations is the number of steps taken.
	Iterations() int
	// State returns the optimizer's variables for a checkpoint, keyed by
	// stable names such as "adam/m/conv1/kernel" and "adam/iterations";
	// LoadState puts them back, with an error naming every missing, extra
	// or wrongly sized entry (and changing nothing then).
	State(params []NamedParam) map[string][]float32
	LoadState(params []NamedParam, state map[string][]float32) error
}

// slots is an optimizer's per-parameter vectors (Adam's moments, SGD's
// velocity), keyed by the parameter, created at zero when first needed.
// The zero value is ready to use.
type slots struct{ m map[*ops.Param][]float32 }

func (s *slots) of(p *ops.Param) []float32 {
	v, ok := s.m[p]
	if !ok {
		if s.m == nil {
			s.m = map[*ops.Param][]float32{}
		}
		v = make([]float32, p.Len())
		s.m[p] = v
	}
	return v
}

// stateSchema lists the entries an optimizer's state holds: scalars (one
// value each) and, for every trainable parameter, one vector per slot name.
type stateSchema struct {
	prefix  string   // "adam", "sgd"
	scalars []string // e.g. "iterations", "learning_rate"
	slots   []string // e.g. "m", "v"
}

func (s stateSchema) scalarKey(name string) string { return s.prefix + "/" + name }

func (s stateSchema) slotKey(slot string, p NamedParam) string {
	return s.prefix + "/" + slot + "/" + p.Key()
}

// check reports every missing, extra or wrongly sized entry of state.
func (s stateSchema) check(params []NamedParam, state map[string][]float32) error {
	want := map[string]int{}
	for _, k := range s.scalars {
		want[s.scalarKey(k)] = 1
	}
	for _, p := range trainable(params) {
		for _, sl := range s.slots {
			want[s.slotKey(sl, p)] = p.Param.Len()
		}
	}
	var problems []string
	for k, n := range want {
		v, ok := state[k]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("missing %q", k))
		case len(v) != n:
			problems = append(problems, fmt.Sprintf("%q has %d values, want %d", k, len(v), n))
		}
	}
	for k := range state {
		if _, ok := want[k]; !ok {
			problems = append(problems, fmt.Sprintf("unexpected %q", k))
		}
	}
	if len(problems) == 0 {
		return nil
	}
	slices.Sort(problems) // maps have no order; errors should
	return fmt.Errorf("train: %s state: %s", s.prefix, strings.Join(problems, "; "))
}

// iterationsValue reads a step count stored as a float32.
func iterationsValue(prefix string, v float32) (int, error) {
	if v < 0 || v != float32(math.Trunc(float64(v))) || v > 1<<24 {
		return 0, fmt.Errorf("train: %s state: iterations = %v, want a whole number in [0, 2^24]", prefix, v)
	}
	return int(v), nil
}

// isKernel tells the weights that weight decay applies to: kernels, not
// biases or BatchNormalization's gamma and beta, as Keras's
// kernel_regularizer does.
func isKernel(p *ops.Param) bool { return p.Name == "kernel" }
