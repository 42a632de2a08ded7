package ops

import (
	"math/rand/v2"

	"github.com/simdnet/simdnet/internal/parallel"
)

// Dropout sets a fraction rate of its input to zero in Training mode and
// scales the rest by 1/(1-rate), as Keras's Dropout; in Inference mode it
// is the identity. SpatialDropout2D drops whole channels of an image
// instead (Keras's SpatialDropout2D, EfficientNet's and others').
//
// The mask is drawn from a PCG generator seeded with Seed (Keras's seed=),
// advanced by each Training-mode Forward, so a seed gives one sequence of
// masks. The last mask drawn is kept in Mask for the backward pass, which
// makes Training-mode calls one goroutine at a time, as BatchNormalization.
type Dropout struct {
	Name string
	Rate float32 // in [0, 1)
	Seed uint64
	// Mask is, after a Training-mode Forward, the factor each input value
	// was multiplied by (0 or 1/(1-rate)), per value for Dropout or per
	// image and channel for SpatialDropout2D.
	Mask []float32
	// spatial drops (N, 1, 1, C) channels; set by SpatialDropout2D.
	spatial bool
	rng     *rand.Rand
}

// SpatialDropout2D is Dropout of whole channels of NHWC images.
type SpatialDropout2D struct{ Dropout }

// NewDropout and NewSpatialDropout2D check the rate.
func NewDropout(name string, rate float32, seed uint64) (*Dropout, error) {
	l := &Dropout{Name: name, Rate: rate, Seed: seed}
	return l, l.checkRate()
}

func NewSpatialDropout2D(name string, rate float32, seed uint64) (*SpatialDropout2D, error) {
	l := &SpatialDropout2D{Dropout{Name: name, Rate: rate, Seed: seed, spatial: true}}
	return l, l.checkRate()
}

func (l *Dropout) LayerName() string { return l.Name }
func (l *Dropout) Class() string {
	if l.spatial {
		return "SpatialDropout2D"
	}
	return "Dropout"
}
func (l *Dropout) Params() []*Param { return nil }

func (l *Dropout) checkRate() error {
	if !(l.Rate >= 0 && l.Rate < 1) {
		return layerErr(l, "rate = %v, want a value in [0, 1)", l.Rate)
	}
	return nil
}

func (l *Dropout) OutputShape(in ...Shape) (Shape, error) {
	if err := l.checkRate(); err != nil {
		return nil, err
	}
	rank, want := -1, "(None, ...)"
	if l.spatial {
		rank, want = 3, "(None, H, W, C)"
	}
	s, err := oneInput(l, in, rank, want)
	if err != nil {
		return nil, err
	}
	return s.Clone(), nil
}

// DrawMask draws a new mask for a batch x (see Mask) and returns it.
func (l *Dropout) DrawMask(x *Tensor) []float32 {
	n := x.Len()
	if l.spatial {
		n = x.Shape[0] * x.Shape[len(x.Shape)-1]
	}
	if cap(l.Mask) < n {
		l.Mask = make([]float32, n)
	}
	l.Mask = l.Mask[:n]
	if l.rng == nil {
		l.rng = rand.New(rand.NewPCG(l.Seed, 0x5eed))
	}
	keep := 1 / (1 - l.Rate)
	for i := range l.Mask {
		if l.rng.Float32() < l.Rate {
			l.Mask[i] = 0
		} else {
			l.Mask[i] = keep
		}
	}
	return l.Mask
}

// ApplyMask writes x times the mask into out; out may be x.
func (l *Dropout) ApplyMask(out, x *Tensor, mask []float32) {
	if !l.spatial {
		parallel.For(x.Len(), parallel.MinWork, func(lo, hi int) {
			d, m := out.Data[lo:hi], mask[lo:hi]
			for i, v := range x.Data[lo:hi] {
				d[i] = v * m[i]
			}
		})
		return
	}
	c := x.Shape[len(x.Shape)-1]
	pixels := x.Len() / x.Shape[0] / c
	parallel.For(x.Len()/c, parallel.Grain(c), func(lo, hi int) {
		for p := lo; p < hi; p++ {
			m := mask[p/pixels*c : (p/pixels+1)*c]
			src, dst := x.Data[p*c:(p+1)*c], out.Data[p*c:(p+1)*c]
			for i, v := range src {
				dst[i] = v * m[i]
			}
		}
	})
}

// Forward is the identity in Inference mode; in Training mode it draws a
// mask and applies it.
func (l *Dropout) Forward(out *Tensor, in []*Tensor, mode Mode) error {
	if err := checkForward(l, out, in); err != nil {
		return err
	}
	if mode != Training || l.Rate == 0 {
		copy(out.Data, in[0].Data)
		return nil
	}
	l.ApplyMask(out, in[0], l.DrawMask(in[0]))
	return nil
}

// ForwardRef is the identity in Inference mode; in Training mode it draws
// a mask as Forward does and applies it by its definition.
func (l *Dropout) ForwardRef(out *Tensor, in []*Tensor, mode Mode) error {
	if err := checkForward(l, out, in); err != nil {
		return err
	}
	x := in[0]
	if mode != Training || l.Rate == 0 {
		copy(out.Data, x.Data)
		return nil
	}
	mask := l.DrawMask(x)
	c := x.Shape[len(x.Shape)-1]
	pixels := x.Len() / x.Shape[0] / c
	for i, v := range x.Data {
		at := i // the value's own factor, or its image's and channel's
		if l.spatial {
			at = i/(pixels*c)*c + i%c
		}
		m := mask[at]
		out.Data[i] = float32(float64(v) * float64(m))
	}
	return nil
}
