package ops

import (
	"fmt"

	"github.com/simdnet/simdnet/internal/parallel"
)

// Slice keeps the range [Start, Stop) of one axis of each sample, as
// x[:, ..., start:stop, ...] does: ONNX's Slice (step 1) and each output of
// its Split. ShuffleNetV2 splits its channels in two this way. Axis counts
// the batch as axis 0, as Keras's layers do, so 3 is the channels of an
// image; a negative Axis counts from the end (-1: the last).
type Slice struct {
	Name        string
	Axis        int
	Start, Stop int
}

func (l *Slice) LayerName() string { return l.Name }
func (l *Slice) Class() string     { return "Slice" }
func (l *Slice) Params() []*Param  { return nil }

// perSampleAxis is Axis as an index into a per-sample shape of rank rank.
func (l *Slice) perSampleAxis(rank int) (int, error) {
	a := l.Axis - 1
	if l.Axis < 0 {
		a = rank + l.Axis
	}
	if l.Axis == 0 || a < 0 || a >= rank {
		return 0, layerErr(l, "axis %d is not an axis of inputs of rank %d (the batch axis 0 cannot be sliced)", l.Axis, rank+1)
	}
	return a, nil
}

func (l *Slice) OutputShape(in ...Shape) (Shape, error) {
	s, err := oneInput(l, in, -1, "(None, ...)")
	if err != nil {
		return nil, err
	}
	a, err := l.perSampleAxis(len(s))
	if err != nil {
		return nil, err
	}
	if l.Start < 0 || l.Stop <= l.Start || l.Stop > s[a] {
		return nil, layerErr(l, "range [%d, %d) of axis %d, which has %d values, is empty or outside it", l.Start, l.Stop, l.Axis, s[a])
	}
	out := s.Clone()
	out[a] = l.Stop - l.Start
	return out, nil
}

// runs describes the slice of one sample of shape s as copy runs: outer
// runs of width values each, taken at offset from every stride values of
// the input.
func (l *Slice) runs(s Shape) (outer, width, offset, stride int) {
	a, _ := l.perSampleAxis(len(s))
	inner := s[a+1:].Len()
	return s[:a].Len(), (l.Stop - l.Start) * inner, l.Start * inner, s[a] * inner
}

// Forward copies the kept run of every row of the axes before Axis.
func (l *Slice) Forward(out *Tensor, in []*Tensor, _ Mode) error {
	if err := checkForward(l, out, in); err != nil {
		return err
	}
	outer, width, offset, stride := l.runs(in[0].Shape[1:])
	rows := in[0].Shape[0] * outer
	src := in[0].Data
	parallel.For(rows, parallel.Grain(width), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			copy(out.Data[r*width:(r+1)*width], src[r*stride+offset:r*stride+offset+width])
		}
	})
	return nil
}

// ForwardRef moves each element by its full index: the output's index i
// along Axis is the input's Start+i.
func (l *Slice) ForwardRef(out *Tensor, in []*Tensor, _ Mode) error {
	if err := checkForward(l, out, in); err != nil {
		return err
	}
	x := in[0]
	a, _ := l.perSampleAxis(len(x.Shape) - 1)
	a++ // in the tensor's shape
	idx := make([]int, len(out.Shape))
	for k := range out.Data {
		rem := k
		for d := len(out.Shape) - 1; d >= 0; d-- {
			idx[d] = rem % out.Shape[d]
			rem /= out.Shape[d]
		}
		idx[a] += l.Start
		off := 0
		for d := range x.Shape {
			off = off*x.Shape[d] + idx[d]
		}
		out.Data[k] = x.Data[off]
	}
	return nil
}

// Inference: the slice as a gather kernel.
func (l *Slice) Inference(in ...Shape) (InferenceOp, error) {
	outShape, err := l.OutputShape(in...)
	if err != nil {
		return InferenceOp{}, err
	}
	outer, width, offset, stride := l.runs(in[0])
	sample, inSample := outShape.Len(), in[0].Len()
	return InferenceOp{Kind: OpKernel, Kernel: Kernel{What: fmt.Sprintf("slice axis %d [%d, %d)", l.Axis, l.Start, l.Stop), Run: func(dst []float32, src [][]float32, n int) {
		for smp := 0; smp < n; smp++ {
			x, y := src[0][smp*inSample:(smp+1)*inSample], dst[smp*sample:(smp+1)*sample]
			for r := 0; r < outer; r++ {
				copy(y[r*width:(r+1)*width], x[r*stride+offset:r*stride+offset+width])
			}
		}
	}}}, nil
}

// SliceRuns tells a backward pass where the slice of a sample of shape s
// lies in its input: outer runs of width values, at offset in every stride.
func (l *Slice) SliceRuns(s Shape) (outer, width, offset, stride int) { return l.runs(s) }
