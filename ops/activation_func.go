package ops

import "fmt"

// ActFunc is an activation function, by its Keras name.
type ActFunc uint8

const (
	Linear  ActFunc = iota // identity ("linear", Keras's default)
	ReLU                   // max(x, 0)
	Softmax                // exp(x) normalised over the last axis
)

var actNames = [...]string{Linear: "linear", ReLU: "relu", Softmax: "softmax"}

func (a ActFunc) String() string {
	if int(a) < len(actNames) {
		return actNames[a]
	}
	return fmt.Sprintf("ActFunc(%d)", uint8(a))
}

// ParseActFunc reads a Keras activation name.
func ParseActFunc(s string) (ActFunc, error) {
	for i, n := range actNames {
		if n == s {
			return ActFunc(i), nil
		}
	}
	return 0, fmt.Errorf("ops: unknown activation %q (want linear, relu or softmax)", s)
}

func (a ActFunc) valid() bool { return int(a) < len(actNames) }
