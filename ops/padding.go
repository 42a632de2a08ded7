package ops

import "fmt"

// Padding is a Keras padding mode for convolutions and pooling.
type Padding uint8

const (
	// Valid uses only windows that lie wholly inside the input.
	Valid Padding = iota
	// Same pads so that the output has ceil(in/stride) positions, with the
	// padding split as TensorFlow splits it: the extra cell, if any, goes
	// at the bottom or right.
	Same
)

func (p Padding) String() string {
	switch p {
	case Valid:
		return "valid"
	case Same:
		return "same"
	}
	return fmt.Sprintf("Padding(%d)", uint8(p))
}

// ParsePadding reads the Keras names "valid" and "same".
func ParsePadding(s string) (Padding, error) {
	switch s {
	case "valid":
		return Valid, nil
	case "same":
		return Same, nil
	}
	return 0, fmt.Errorf("ops: unknown padding %q (want \"valid\" or \"same\")", s)
}

// Window returns, for one spatial axis of length in, a window of k cells
// moved by stride, the number of output positions and the padding before
// and after the input. out < 1 means the window does not fit (Valid only).
func (p Padding) Window(in, k, stride int) (out, before, after int) {
	if p == Same {
		out = (in + stride - 1) / stride
		total := max((out-1)*stride+k-in, 0)
		return out, total / 2, total - total/2
	}
	if in < k {
		return 0, 0, 0
	}
	return (in-k)/stride + 1, 0, 0
}
