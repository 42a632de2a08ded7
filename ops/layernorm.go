package ops

import (
	"math"

	"github.com/simdnet/simdnet/internal/parallel"
)

// DefaultLNEpsilon is Keras's LayerNormalization epsilon (ConvNeXt sets
// 1e-6).
const DefaultLNEpsilon = 1e-3

// LayerNormConfig is what Keras's LayerNormalization takes, over the last
// axis: LayerNormalization(axis=-1, epsilon, center, scale).
type LayerNormConfig struct {
	Name string
	// Axis counts the batch as 0, as Keras; only the last axis is
	// supported: -1, or the rank. Zero means -1.
	Axis     int
	Epsilon  float32 // zero means DefaultLNEpsilon
	NoCenter bool    // center=False: no beta
	NoScale  bool    // scale=False: no gamma
}

// LayerNormalization normalises each position's channel vector (the last
// axis) by its own mean and variance, then scales by gamma and shifts by
// beta, in both modes:
//
//	out = gamma · (x - mean(x)) / sqrt(var(x) + epsilon) + beta
type LayerNormalization struct {
	LayerNormConfig
	Gamma *Param // [channels]; nil when NoScale
	Beta  *Param // [channels]; nil when NoCenter
}

// NewLayerNormalization creates the layer with gamma 1 and beta 0.
func NewLayerNormalization(cfg LayerNormConfig, channels int) (*LayerNormalization, error) {
	if cfg.Axis == 0 {
		cfg.Axis = -1
	}
	if cfg.Epsilon == 0 {
		cfg.Epsilon = DefaultLNEpsilon
	}
	l := &LayerNormalization{LayerNormConfig: cfg}
	if channels < 1 {
		return nil, layerErr(l, "%d channels", channels)
	}
	if !(cfg.Epsilon > 0) {
		return nil, layerErr(l, "epsilon = %v, want positive", cfg.Epsilon)
	}
	if !cfg.NoScale {
		l.Gamma = newParam("gamma", true, channels)
		l.Gamma.Fill(1)
	}
	if !cfg.NoCenter {
		l.Beta = newParam("beta", true, channels)
	}
	return l, nil
}

func (l *LayerNormalization) LayerName() string { return l.Name }
func (l *LayerNormalization) Class() string     { return "LayerNormalization" }

// Params returns gamma and beta, those present, in Keras order.
func (l *LayerNormalization) Params() []*Param {
	var ps []*Param
	if l.Gamma != nil {
		ps = append(ps, l.Gamma)
	}
	if l.Beta != nil {
		ps = append(ps, l.Beta)
	}
	return ps
}

// Channels is the size of the normalised axis.
func (l *LayerNormalization) Channels() int {
	if l.Gamma != nil {
		return l.Gamma.Len()
	}
	if l.Beta != nil {
		return l.Beta.Len()
	}
	return 0
}

func (l *LayerNormalization) OutputShape(in ...Shape) (Shape, error) {
	if l.NoScale != (l.Gamma == nil) || l.NoCenter != (l.Beta == nil) || l.Gamma != nil && l.Beta != nil && l.Gamma.Len() != l.Beta.Len() {
		return nil, layerErr(l, "gamma and beta do not match scale=%v, center=%v", !l.NoScale, !l.NoCenter)
	}
	s, err := oneInput(l, in, -1, "(None, ..., channels)")
	if err != nil {
		return nil, err
	}
	if l.Axis != -1 && l.Axis != len(s) {
		return nil, layerErr(l, "axis %d is not the last axis of input %v; only the last axis is supported", l.Axis, s.Keras())
	}
	if c := l.Channels(); c != 0 && s[len(s)-1] != c {
		return nil, layerErr(l, "input shape %v, want %d channels in the last axis", s.Keras(), c)
	}
	return s.Clone(), nil
}

// Forward normalises each channel vector with its statistics taken in
// float64 in two passes.
func (l *LayerNormalization) Forward(out *Tensor, in []*Tensor, _ Mode) error {
	if err := checkForward(l, out, in); err != nil {
		return err
	}
	x := in[0]
	c := x.Shape[len(x.Shape)-1]
	parallel.For(x.Len()/c, parallel.Grain(3*c), func(lo, hi int) {
		for p := lo; p < hi; p++ {
			l.normalizeRow(out.Data[p*c:(p+1)*c], x.Data[p*c:(p+1)*c])
		}
	})
	return nil
}

// RowStatistics returns the mean and 1/sqrt(variance + epsilon) of one
// channel vector, accumulated in float64 in two passes.
func (l *LayerNormalization) RowStatistics(x []float32) (mean, invStd float64) {
	var s float64
	for _, v := range x {
		s += float64(v)
	}
	mean = s / float64(len(x))
	var q float64
	for _, v := range x {
		d := float64(v) - mean
		q += d * d
	}
	return mean, 1 / math.Sqrt(q/float64(len(x))+float64(l.Epsilon))
}

func (l *LayerNormalization) normalizeRow(dst, x []float32) {
	mean, inv := l.RowStatistics(x)
	m, is := float32(mean), float32(inv)
	for i, v := range x {
		y := (v - m) * is
		if l.Gamma != nil {
			y *= l.Gamma.Value[i]
		}
		if l.Beta != nil {
			y += l.Beta.Value[i]
		}
		dst[i] = y
	}
}

// ForwardRef normalises by the definition, in float64.
func (l *LayerNormalization) ForwardRef(out *Tensor, in []*Tensor, _ Mode) error {
	if err := checkForward(l, out, in); err != nil {
		return err
	}
	x := in[0]
	c := x.Shape[len(x.Shape)-1]
	for p := 0; p < x.Len()/c; p++ {
		row := x.Data[p*c : (p+1)*c]
		var mean, q float64
		for _, v := range row {
			mean += float64(v)
		}
		mean /= float64(c)
		for _, v := range row {
			q += (float64(v) - mean) * (float64(v) - mean)
		}
		sd := math.Sqrt(q/float64(c) + float64(l.Epsilon))
		for i, v := range row {
			y := (float64(v) - mean) / sd
			if l.Gamma != nil {
				y *= float64(l.Gamma.Value[i])
			}
			if l.Beta != nil {
				y += float64(l.Beta.Value[i])
			}
			out.Data[p*c+i] = float32(y)
		}
	}
	return nil
}
