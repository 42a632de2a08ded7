package ops

import (
	"fmt"
)

// Mode selects how layers that behave differently while training run.
type Mode uint8

const (
	// Inference uses BatchNormalization's moving statistics and changes
	// nothing, so a model may serve several goroutines at once.
	Inference Mode = iota
	// Training normalises with the batch's own statistics and updates the
	// moving averages, as Keras does with training=True. Layers keep what
	// the backward pass needs (see BatchNormalization.BatchMean), so a
	// model trains on one goroutine at a time.
	Training
)

func (m Mode) String() string {
	if m == Training {
		return "training"
	}
	return "inference"
}

// Layer is one Keras layer. Shapes passed to OutputShape leave out the batch
// dimension; tensors passed to Forward include it.
type Layer interface {
	// LayerName is the Keras layer name, unique within a graph.
	LayerName() string
	// Class is the Keras class name, e.g. "Conv2D".
	Class() string
	// OutputShape returns the per-sample output shape for per-sample input
	// shapes, or an error naming the layer and the input it expected.
	OutputShape(in ...Shape) (Shape, error)
	// Params returns the layer's weights in Keras order (nil if none).
	// The pointers are the layer's own: writing Value changes the layer.
	Params() []*Param
	// Forward computes out from in. out must already have the batch size
	// of the inputs followed by OutputShape; it is overwritten. Layers
	// that work value by value (BatchNormalization, Activation, Add,
	// Flatten) accept an out that shares Data with an input. In Inference
	// mode no layer changes state, so calls may run concurrently.
	Forward(out *Tensor, in []*Tensor, mode Mode) error
	// ForwardRef is Forward by the definition, with float64 accumulation:
	// slow, and the reference the fast path is tested against.
	ForwardRef(out *Tensor, in []*Tensor, mode Mode) error
}

// Activated is a layer with a fused output activation, Keras's activation=
// argument (Dense), or an Activation layer itself. ForwardLinear runs the
// layer without it, which gives the logits of a model that ends in softmax.
type Activated interface {
	Layer
	OutputActivation() ActFunc
	ForwardLinear(out *Tensor, in []*Tensor, mode Mode) error
}

// Apply runs l on inputs that share a batch size and returns a new output
// tensor: the convenient, allocating form of Forward.
func Apply(l Layer, mode Mode, in ...*Tensor) (*Tensor, error) {
	out, err := newOutput(l, in)
	if err != nil {
		return nil, err
	}
	if err := l.Forward(out, in, mode); err != nil {
		return nil, err
	}
	return out, nil
}

// newOutput allocates l's output tensor for the batch in.
func newOutput(l Layer, in []*Tensor) (*Tensor, error) {
	shapes, batch, err := sampleShapes(l, in)
	if err != nil {
		return nil, err
	}
	s, err := l.OutputShape(shapes...)
	if err != nil {
		return nil, err
	}
	return NewTensor(append([]int{batch}, s...)...), nil
}

// sampleShapes splits the inputs' shapes into a common batch size and
// per-sample shapes.
func sampleShapes(l Layer, in []*Tensor) ([]Shape, int, error) {
	if len(in) == 0 {
		return nil, 0, layerErr(l, "no input")
	}
	shapes := make([]Shape, len(in))
	batch := -1
	for i, t := range in {
		if t == nil || len(t.Shape) == 0 {
			return nil, 0, layerErr(l, "input %d has no batch dimension", i)
		}
		if len(t.Data) != t.Shape.Len() {
			return nil, 0, layerErr(l, "input %d has %d values for shape %v", i, len(t.Data), t.Shape)
		}
		if t.Shape[0] < 1 {
			return nil, 0, layerErr(l, "input %d has batch size %d, want at least 1", i, t.Shape[0])
		}
		if batch >= 0 && t.Shape[0] != batch {
			return nil, 0, layerErr(l, "input %d has batch size %d, input 0 has %d", i, t.Shape[0], batch)
		}
		batch = t.Shape[0]
		shapes[i] = t.Shape[1:]
	}
	return shapes, batch, nil
}

// checkForward validates a Forward call: the inputs against what l accepts
// and out against the shape l produces from them.
func checkForward(l Layer, out *Tensor, in []*Tensor) error {
	shapes, batch, err := sampleShapes(l, in)
	if err != nil {
		return err
	}
	s, err := l.OutputShape(shapes...)
	if err != nil {
		return err
	}
	if out == nil || len(out.Shape) != len(s)+1 || out.Shape[0] != batch || !out.Shape[1:].Equal(s) || len(out.Data) != out.Shape.Len() {
		want := append(Shape{batch}, s...)
		if out == nil {
			return layerErr(l, "output is nil, want shape %v", want)
		}
		return layerErr(l, "output has shape %v (%d values), want %v", out.Shape, len(out.Data), want)
	}
	return nil
}

// layerErr formats an error that names the layer and its class.
func layerErr(l Layer, format string, args ...any) error {
	return fmt.Errorf("ops: layer %q (%s): %s", l.LayerName(), l.Class(), fmt.Sprintf(format, args...))
}

// oneInput checks that a single-input layer got one input of the given rank
// (per sample; -1 for any rank of at least 1).
func oneInput(l Layer, in []Shape, rank int, want string) (Shape, error) {
	if len(in) != 1 {
		return nil, layerErr(l, "got %d inputs, want 1", len(in))
	}
	s := in[0]
	if (rank >= 0 && len(s) != rank) || len(s) == 0 {
		return nil, layerErr(l, "input shape %v, want %s", s.Keras(), want)
	}
	for _, d := range s {
		if d < 1 {
			return nil, layerErr(l, "input shape %v has an empty dimension, want %s", s.Keras(), want)
		}
	}
	return s, nil
}
