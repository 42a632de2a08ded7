package weights

import (
	"fmt"
	"strings"
)

// MismatchKind says how a stored tensor fails to fit a model.
type MismatchKind uint8

const (
	Missing    MismatchKind = iota + 1 // the model has the parameter, the source lacks it
	Unexpected                         // the source has a tensor the model has no parameter for
	WrongShape                         // both have it, with different shapes
	WrongDtype                         // the stored element type cannot be read as float32
)

func (k MismatchKind) String() string {
	switch k {
	case Missing:
		return "missing"
	case Unexpected:
		return "unexpected"
	case WrongShape:
		return "wrong shape"
	case WrongDtype:
		return "wrong dtype"
	}
	return fmt.Sprintf("MismatchKind(%d)", uint8(k))
}

// Mismatch is one tensor that does not fit.
type Mismatch struct {
	Tensor string // "<layer>/<param>"
	Kind   MismatchKind
	Shape  []int  // WrongShape: the stored shape
	Want   []int  // WrongShape: the parameter's shape
	Dtype  string // WrongDtype: the stored dtype, as the source spells it
}

// MismatchError reports weights that do not fit a model, listing every
// mismatch, so one attempt shows everything that has to change. Whatever
// returned it changed nothing.
type MismatchError struct {
	Source     string // the file (or other source) the weights came from
	Model      string // the model they were meant for, e.g. "resnet50-seed"
	Mismatches []Mismatch
}

// Error lists the mismatches grouped by kind, e.g.
//
//	weights: model.safetensors does not match resnet50-seed: missing conv1/bias;
//	unexpected foo/kernel; res2a_branch2a/kernel has shape [1 1 64 64], want [1 1 64 128]
func (e *MismatchError) Error() string {
	var missing, unexpected, other []string
	for _, m := range e.Mismatches {
		name := shortName(m.Tensor)
		switch m.Kind {
		case Missing:
			missing = append(missing, name)
		case Unexpected:
			unexpected = append(unexpected, name)
		case WrongShape:
			other = append(other, fmt.Sprintf("%s has shape %v, want %v", name, m.Shape, m.Want))
		case WrongDtype:
			other = append(other, fmt.Sprintf("%s has dtype %s, want a float type", name, shortName(m.Dtype)))
		}
	}
	var parts []string
	if len(missing) > 0 {
		parts = append(parts, "missing "+joinCapped(missing, ", "))
	}
	if len(unexpected) > 0 {
		parts = append(parts, "unexpected "+joinCapped(unexpected, ", "))
	}
	if len(other) > 0 {
		parts = append(parts, joinCapped(other, "; "))
	}
	return fmt.Sprintf("weights: %s does not match %s: %s", e.Source, e.Model, strings.Join(parts, "; "))
}

// maxListed bounds how many names of one kind Error prints. Real models stay
// far below it (ResNet152 has 933 parameter tensors); it only keeps a hostile
// file with a million tensor names from producing a gigantic message. The
// Mismatches field always has them all.
const maxListed = 2000

func joinCapped(items []string, sep string) string {
	if len(items) <= maxListed {
		return strings.Join(items, sep)
	}
	return fmt.Sprintf("%s%s... and %d more", strings.Join(items[:maxListed], sep), sep, len(items)-maxListed)
}

// shortName truncates a name taken from a file for an error message.
func shortName(name string) string {
	const max = 200
	if len(name) <= max {
		return name
	}
	return fmt.Sprintf("%s...(%d bytes)", name[:max], len(name))
}
