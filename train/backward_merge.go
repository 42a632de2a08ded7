package train

import (
	"github.com/simdnet/simdnet/internal/parallel"
	"github.com/simdnet/simdnet/ops"
)

// mergeKind is the element-wise operation of a merge layer.
type mergeKind uint8

const (
	mergeAdd mergeKind = iota
	mergeSubtract
	mergeMultiply
	mergeMaximum
	mergeMinimum
	mergeAverage
)

func init() {
	for _, m := range []struct {
		register func(layerTraining)
		kind     mergeKind
	}{
		{register[*ops.Multiply], mergeMultiply},
		{register[*ops.Subtract], mergeSubtract},
		{register[*ops.Maximum], mergeMaximum},
		{register[*ops.Minimum], mergeMinimum},
		{register[*ops.Average], mergeAverage},
	} {
		kind := m.kind
		m.register(layerTraining{backward: func(c *backwardCtx) {
			mergeGrad(kind, c.nd, c.in, c.out.Data, c.dy, c.dx, c.accum)
		}})
	}
	register[*ops.Concatenate](layerTraining{backward: concatBackward})
}

// mergeGrad writes (or adds) each input's gradient of a merge layer whose
// inputs may broadcast: the output gradient times the operation's partial
// derivative, summed over the positions a broadcast input was stretched
// to. Maximum and Minimum send each gradient to the first input holding
// the winning value. Images are spread over the cores; a broadcast input's
// values are per image, so no two goroutines write one value.
func mergeGrad(kind mergeKind, nd *ops.Node, in []*ops.Tensor, y, dy []float32, dx [][]float32, accum []bool) {
	shapes := make([]ops.Shape, len(in))
	for k, t := range in {
		shapes[k] = t.Shape[1:]
	}
	bi := ops.NewBroadcastIndex(nd.Shape, shapes)
	width, rows, sample := bi.Width(), bi.Rows(), nd.Shape.Len()
	batch := len(dy) / sample
	parallel.For(batch, parallel.Grain(sample*len(in)), func(lo, hi int) {
		vals := make([]float32, len(in))
		offs, steps := make([]int, len(in)), make([]int, len(in))
		for n := lo; n < hi; n++ {
			for k, d := range dx {
				if d != nil && !accum[k] {
					clear(d[n*bi.Size(k) : (n+1)*bi.Size(k)])
				}
			}
			for r := 0; r < rows; r++ {
				for k := range in {
					offs[k], steps[k] = n*bi.Size(k)+bi.RowStart(k, r), bi.RowStep(k)
				}
				base := n*sample + r*width
				for i := 0; i < width; i++ {
					g := dy[base+i]
					for k, t := range in {
						vals[k] = t.Data[offs[k]+i*steps[k]]
					}
					winner := -1
					if kind == mergeMaximum || kind == mergeMinimum {
						for k, v := range vals {
							if v == y[base+i] {
								winner = k
								break
							}
						}
					}
					for k, d := range dx {
						if d == nil {
							continue
						}
						var part float32
						switch kind {
						case mergeAdd:
							part = 1
						case mergeSubtract:
							part = 1
							if k == 1 {
								part = -1
							}
						case mergeAverage:
							part = 1 / float32(len(in))
						case mergeMultiply:
							part = 1
							for j, v := range vals {
								if j != k {
									part *= v
								}
							}
						default:
							if k == winner {
								part = 1
							}
						}
						d[offs[k]+i*steps[k]] += g * part
					}
				}
			}
		}
	})
}

// concatBackward hands each input its slab of the output gradient.
func concatBackward(c *backwardCtx) {
	l := c.nd.Layer.(*ops.Concatenate)
	a, _ := l.PerSampleAxis(len(c.nd.Shape))
	shape := c.out.Shape
	a++ // in the tensor's shape
	outer := shape[:a].Len()
	inner := shape[a+1:].Len()
	width := shape[a] * inner
	parallel.For(outer, parallel.Grain(width), func(lo, hi int) {
		for o := lo; o < hi; o++ {
			src := c.dy[o*width : (o+1)*width]
			for k, t := range c.in {
				run := t.Shape[a] * inner
				if d := c.dx[k]; d != nil {
					dst := d[o*run : (o+1)*run]
					if c.accum[k] {
						for i, v := range src[:run] {
							dst[i] += v
						}
					} else {
						copy(dst, src[:run])
					}
				}
				src = src[run:]
			}
		}
	})
}
