// Package quant holds the arithmetic of static post-training quantization:
// per-tensor u8 activation parameters calibrated from observed values
// (min/max, a percentile, or the entropy method), and per-output-channel
// symmetric int8 weights.
//
// An activation x is stored as q = clamp(round(x/Scale) + Zero, 0, 255) and
// read back as (q - Zero)·Scale. The range [Lo, Hi] a method picks always
// contains 0, so that 0 (ReLU's floor, convolution padding) is exact: it is
// the code Zero.
//
// Calibration takes two passes over the same images: the first records each
// tensor's minimum and maximum (Observer.ObserveRange), the second fills a
// histogram of the values over that range (Observer.ObserveHist), from which
// Params picks the range of a method.
package quant

import (
	"errors"
	"fmt"
	"math"
)

// Params quantizes one tensor: x ≈ (q - Zero)·Scale with q in 0..255.
type Params struct {
	Scale float32 `json:"scale"`
	Zero  int32   `json:"zero"`
}

// Quantize returns x's u8 code.
func (p Params) Quantize(x float32) uint8 {
	v := math.RoundToEven(float64(x/p.Scale)) + float64(p.Zero)
	return uint8(min(max(v, 0), 255))
}

// Dequantize returns the value the code q stands for.
func (p Params) Dequantize(q uint8) float32 { return float32(int32(q)-p.Zero) * p.Scale }

// Lo and Hi are the ends of the represented range.
func (p Params) Lo() float32 { return float32(-p.Zero) * p.Scale }
func (p Params) Hi() float32 { return float32(255-p.Zero) * p.Scale }

// Validate reports parameters no tensor can have.
func (p Params) Validate() error {
	s := float64(p.Scale)
	if !(s > 0) || math.IsInf(s, 0) {
		return fmt.Errorf("quant: scale %v is not a positive finite number", p.Scale)
	}
	if p.Zero < 0 || p.Zero > 255 {
		return fmt.Errorf("quant: zero point %d outside 0..255", p.Zero)
	}
	return nil
}

// FromRange returns the u8 parameters of the range [lo, hi], widened to
// contain 0 (and to a tiny width when it is a point).
func FromRange(lo, hi float64) Params {
	lo, hi = min(lo, 0), max(hi, 0)
	if hi-lo < 1e-8 {
		hi = lo + 1e-8
	}
	scale := (hi - lo) / 255
	zero := math.Round(-lo / scale)
	return Params{Scale: float32(scale), Zero: int32(min(max(zero, 0), 255))}
}

// Method is a calibration method.
type Method int

const (
	MinMax     Method = iota // the observed minimum and maximum
	Percentile               // the given percentile at each end (outliers clipped)
	Entropy                  // the threshold of least KL divergence (TensorRT's method)
)

// ParseMethod reads a method's name: minmax, percentile or entropy.
func ParseMethod(s string) (Method, error) {
	switch s {
	case "minmax":
		return MinMax, nil
	case "percentile":
		return Percentile, nil
	case "entropy":
		return Entropy, nil
	}
	return 0, fmt.Errorf("quant: unknown calibration method %q (want minmax, percentile or entropy)", s)
}

func (m Method) String() string {
	switch m {
	case MinMax:
		return "minmax"
	case Percentile:
		return "percentile"
	case Entropy:
		return "entropy"
	}
	return fmt.Sprintf("Method(%d)", int(m))
}

// Bins is the histogram's resolution on each side of zero.
const Bins = 2048

// Observer gathers one tensor's statistics over the calibration images.
type Observer struct {
	Min, Max float64
	seen     bool
	// pos[i] and neg[i] count the values x > 0 and x < 0 with |x| in bin
	// i of [0, amax] (Bins bins); zeros counts the exact zeros.
	pos, neg []float64
	zeros    float64
	amax     float64
	count    float64
}

// ObserveRange records the values' range (the first pass).
func (o *Observer) ObserveRange(xs []float32) error {
	for i, x := range xs {
		v := float64(x)
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("quant: value %d is %v", i, x)
		}
		if !o.seen {
			o.Min, o.Max, o.seen = v, v, true
		}
		o.Min, o.Max = min(o.Min, v), max(o.Max, v)
	}
	return nil
}

// ObserveHist adds the values to the histogram (the second pass, over the
// same images: values outside the first pass's range go to the end bins).
func (o *Observer) ObserveHist(xs []float32) {
	if o.pos == nil {
		o.pos, o.neg = make([]float64, Bins), make([]float64, Bins)
		o.amax = max(math.Abs(o.Min), math.Abs(o.Max))
	}
	w := o.amax / Bins
	for _, x := range xs {
		v := float64(x)
		o.count++
		if v == 0 || w == 0 {
			o.zeros++
			continue
		}
		b := min(int(math.Abs(v)/w), Bins-1)
		if v > 0 {
			o.pos[b]++
		} else {
			o.neg[b]++
		}
	}
}

// ErrNoData is Params's error for an observer that saw nothing.
var ErrNoData = errors.New("quant: no values observed")

// Params returns the tensor's u8 parameters by method m; pct is
// Percentile's percentile (99.99 keeps all but the top and bottom 0.01%).
// MinMax needs only the first pass, the others both.
func (o *Observer) Params(m Method, pct float64) (Params, error) {
	if !o.seen {
		return Params{}, ErrNoData
	}
	if m == MinMax {
		return FromRange(o.Min, o.Max), nil
	}
	if o.pos == nil {
		return Params{}, fmt.Errorf("quant: method %v needs the histogram pass", m)
	}
	w := o.amax / Bins
	switch m {
	case Percentile:
		if !(pct > 50 && pct <= 100) {
			return Params{}, fmt.Errorf("quant: percentile %v outside (50, 100]", pct)
		}
		tail := o.count * (100 - pct) / 100
		hi := tailEdge(o.pos, tail, w)
		lo := -tailEdge(o.neg, tail, w)
		return FromRange(max(lo, o.Min), min(hi, o.Max)), nil
	case Entropy:
		abs := make([]float64, Bins)
		for i := range abs {
			abs[i] = o.pos[i] + o.neg[i]
		}
		// A tensor with both signs spends about half the 256 codes on
		// each side; a non-negative one all of them.
		levels := 255
		if o.Min < 0 && o.Max > 0 {
			levels = 128
		}
		t := float64(KLThreshold(abs, levels)) * w
		return FromRange(max(o.Min, -t), min(o.Max, t)), nil
	}
	return Params{}, fmt.Errorf("quant: unknown method %v", m)
}

// tailEdge is the upper edge of the smallest prefix of bins (of width w)
// beyond which at most tail values lie.
func tailEdge(h []float64, tail, w float64) float64 {
	above := 0.0
	for i := len(h) - 1; i >= 0; i-- {
		if above+h[i] > tail {
			return float64(i+1) * w
		}
		above += h[i]
	}
	return 0
}

// KLThreshold is TensorRT's entropy calibration on a histogram of |x|: for
// each candidate count of bins i ≥ levels it clips the histogram to i bins
// (the clipped mass added to the last), quantizes those i bins into levels
// levels (each level spreading its mass evenly over its non-empty bins),
// and returns the i whose quantized distribution has the least KL
// divergence from the clipped one: the threshold is i bin widths.
func KLThreshold(hist []float64, levels int) int {
	n := len(hist)
	last := 0
	for i, c := range hist {
		if c > 0 {
			last = i + 1
		}
	}
	if last <= levels {
		return max(last, 1)
	}
	best, bestKL := n, math.Inf(1)
	p := make([]float64, n)
	q := make([]float64, n)
	for i := levels; i <= n; i++ {
		copy(p, hist[:i])
		outliers := 0.0
		for _, c := range hist[i:] {
			outliers += c
		}
		p[i-1] += outliers
		// Quantize hist[:i] into levels levels.
		for j := range q[:i] {
			q[j] = 0
		}
		for l := 0; l < levels; l++ {
			a, b := l*i/levels, (l+1)*i/levels
			sum, nonzero := 0.0, 0
			for j := a; j < b; j++ {
				sum += hist[j]
				if hist[j] > 0 {
					nonzero++
				}
			}
			for j := a; j < b; j++ {
				if hist[j] > 0 {
					q[j] = sum / float64(nonzero)
				}
			}
		}
		kl := divergence(p[:i], q[:i])
		if kl < bestKL {
			best, bestKL = i, kl
		}
	}
	return best
}

// divergence is KL(p‖q) of two unnormalized histograms; a bin where p has
// mass and q none counts as q = a small epsilon, as TensorRT smooths.
func divergence(p, q []float64) float64 {
	sp, sq := 0.0, 0.0
	for i := range p {
		sp += p[i]
		sq += q[i]
	}
	if sp == 0 || sq == 0 {
		return math.Inf(1)
	}
	const eps = 1e-10
	kl := 0.0
	for i := range p {
		if p[i] == 0 {
			continue
		}
		pi := p[i] / sp
		qi := max(q[i]/sq, eps)
		kl += pi * math.Log(pi/qi)
	}
	return kl
}
