package ops

import (
	"github.com/simdnet/simdnet/internal/parallel"

	"math"
)

// Keras's BatchNormalization defaults.
const (
	DefaultBNEpsilon  = 1e-3
	DefaultBNMomentum = 0.99
)

// BatchNormConfig is what Keras's BatchNormalization takes.
type BatchNormConfig struct {
	Name string
	// Axis is the normalised axis counting the batch, as in Keras. Only the
	// last (channels-last) axis is supported: -1, or 3 for images. Zero
	// means -1, Keras's default.
	Axis     int
	Epsilon  float32 // zero means DefaultBNEpsilon
	Momentum float32 // zero means DefaultBNMomentum
}

// BatchNormalization normalises each channel (the last axis):
//
//	out = gamma · (x - mean) / sqrt(variance + epsilon) + beta
//
// with the moving statistics in Inference mode and the batch's own in
// Training mode, which also moves the moving statistics towards the batch's:
//
//	moving = momentum·moving + (1-momentum)·batch
//
// where the batch variance used for the moving average is the unbiased one
// (times n/(n-1)), as Keras and TensorFlow do; normalisation uses the biased
// one.
type BatchNormalization struct {
	BatchNormConfig
	Gamma, Beta                *Param // trainable, [channels]
	MovingMean, MovingVariance *Param // non-trainable, [channels]

	// BatchMean and BatchVar are the statistics (biased variance) of the
	// last Training-mode Forward, kept for the backward pass.
	BatchMean, BatchVar []float32
}

// NewBatchNormalization creates the layer for the given number of channels
// with Keras's initial values: gamma 1, beta 0, moving mean 0, moving
// variance 1.
func NewBatchNormalization(cfg BatchNormConfig, channels int) (*BatchNormalization, error) {
	if cfg.Axis == 0 {
		cfg.Axis = -1
	}
	if cfg.Epsilon == 0 {
		cfg.Epsilon = DefaultBNEpsilon
	}
	if cfg.Momentum == 0 {
		cfg.Momentum = DefaultBNMomentum
	}
	l := &BatchNormalization{BatchNormConfig: cfg}
	if channels < 1 {
		return nil, layerErr(l, "%d channels", channels)
	}
	l.Gamma = newParam("gamma", true, channels)
	l.Beta = newParam("beta", true, channels)
	l.MovingMean = newParam("moving_mean", false, channels)
	l.MovingVariance = newParam("moving_variance", false, channels)
	l.Gamma.Fill(1)
	l.MovingVariance.Fill(1)
	return l, nil
}

func (l *BatchNormalization) LayerName() string { return l.Name }
func (l *BatchNormalization) Class() string     { return "BatchNormalization" }

// Params returns gamma, beta, moving_mean and moving_variance, in Keras order.
func (l *BatchNormalization) Params() []*Param {
	return []*Param{l.Gamma, l.Beta, l.MovingMean, l.MovingVariance}
}

// Channels is the size of the normalised axis.
func (l *BatchNormalization) Channels() int { return len(l.Gamma.Value) }

func (l *BatchNormalization) OutputShape(in ...Shape) (Shape, error) {
	for _, p := range []*Param{l.Gamma, l.Beta, l.MovingMean, l.MovingVariance} {
		if p == nil || l.Gamma == nil || len(p.Value) != len(l.Gamma.Value) {
			return nil, layerErr(l, "parameters missing or of different lengths")
		}
	}
	s, err := oneInput(l, in, -1, "(None, ..., channels)")
	if err != nil {
		return nil, err
	}
	if l.Axis != -1 && l.Axis != len(s) {
		return nil, layerErr(l, "axis %d is not the channel axis of input %v; only the last axis is supported", l.Axis, s.Keras())
	}
	if s[len(s)-1] != l.Channels() {
		return nil, layerErr(l, "input shape %v, want %d channels in the last axis", s.Keras(), l.Channels())
	}
	return s.Clone(), nil
}

// Forward normalises in[0] into out; see the type's documentation for the
// two modes.
func (l *BatchNormalization) Forward(out *Tensor, in []*Tensor, mode Mode) error {
	if err := checkForward(l, out, in); err != nil {
		return err
	}
	if mode != Training {
		return l.normalize(out, in[0], l.MovingMean.Value, l.MovingVariance.Value)
	}
	c := l.Channels()
	if len(l.BatchMean) != c {
		l.BatchMean, l.BatchVar = make([]float32, c), make([]float32, c)
	}
	if err := l.Statistics(in[0], l.BatchMean, l.BatchVar); err != nil {
		return err
	}
	l.UpdateMoving(l.BatchMean, l.BatchVar, in[0].Len()/c)
	return l.normalize(out, in[0], l.BatchMean, l.BatchVar)
}

// Normalize writes gamma·(x-mean)/sqrt(variance+epsilon)+beta into out for
// the given per-channel statistics, without touching the layer's state.
func (l *BatchNormalization) Normalize(out, x *Tensor, mean, variance []float32) error {
	if err := checkForward(l, out, []*Tensor{x}); err != nil {
		return err
	}
	if len(mean) != l.Channels() || len(variance) != l.Channels() {
		return layerErr(l, "statistics of length %d and %d, want %d", len(mean), len(variance), l.Channels())
	}
	return l.normalize(out, x, mean, variance)
}

// InferenceAffine writes the per-channel scale and shift that Inference
// mode applies, out = x·scale + shift, with
//
//	scale = gamma / sqrt(moving_variance + epsilon)
//	shift = beta - moving_mean·scale
//
// which is what a planner folds into the preceding convolution.
func (l *BatchNormalization) InferenceAffine(scale, shift []float32) error {
	if len(scale) != l.Channels() || len(shift) != l.Channels() {
		return layerErr(l, "scale and shift of length %d and %d, want %d", len(scale), len(shift), l.Channels())
	}
	l.affine(l.MovingMean.Value, l.MovingVariance.Value, scale, shift)
	return nil
}

// affine folds statistics, gamma and beta into one scale and shift per
// channel.
func (l *BatchNormalization) affine(mean, variance, scale, shift []float32) {
	for i := range scale {
		s := l.Gamma.Value[i] / float32(math.Sqrt(float64(variance[i])+float64(l.Epsilon)))
		scale[i] = s
		shift[i] = l.Beta.Value[i] - mean[i]*s
	}
}

// normalize applies the statistics as one multiply-add per value.
func (l *BatchNormalization) normalize(out, x *Tensor, mean, variance []float32) error {
	c := l.Channels()
	buf := getScratch(2 * c)
	defer putScratch(buf)
	scale, shift := (*buf)[:c], (*buf)[c:2*c]
	l.affine(mean, variance, scale, shift)
	pixels := x.Len() / c
	parallel.For(pixels, parallel.Grain(c), func(lo, hi int) {
		src, dst := x.Data[lo*c:hi*c], out.Data[lo*c:hi*c]
		for p := 0; p < len(src); p += c {
			s, d := src[p:p+c], dst[p:p+c]
			for i, v := range s {
				d[i] = v*scale[i] + shift[i]
			}
		}
	})
	return nil
}

// Statistics computes the per-channel mean and biased variance of x over
// every axis but the last, accumulating in float64 in two passes so that
// large means do not swamp small variances.
func (l *BatchNormalization) Statistics(x *Tensor, mean, variance []float32) error {
	if _, err := l.OutputShape(x.Shape[min(1, len(x.Shape)):]); err != nil {
		return err
	}
	c := l.Channels()
	if len(mean) != c || len(variance) != c {
		return layerErr(l, "statistics of length %d and %d, want %d", len(mean), len(variance), c)
	}
	pixels := x.Len() / c
	if pixels == 0 {
		return layerErr(l, "empty batch %v", x.Shape)
	}
	t := parallel.Workers(pixels, parallel.Grain(c))
	partial := make([]float64, t*c)
	sums := func(center []float32) {
		clear(partial)
		parallel.Split(t, pixels, func(w, lo, hi int) {
			acc := partial[w*c : (w+1)*c]
			for p := lo; p < hi; p++ {
				for i, v := range x.Data[p*c : (p+1)*c] {
					d := float64(v)
					if center != nil {
						d -= float64(center[i])
						d *= d
					}
					acc[i] += d
				}
			}
		})
	}
	reduce := func(dst []float32) {
		for i := range dst {
			var s float64
			for w := 0; w < t; w++ {
				s += partial[w*c+i]
			}
			dst[i] = float32(s / float64(pixels))
		}
	}
	sums(nil)
	reduce(mean)
	sums(mean)
	reduce(variance)
	return nil
}

// UpdateMoving moves the moving statistics towards a batch's mean and
// biased variance measured over count values per channel.
func (l *BatchNormalization) UpdateMoving(mean, variance []float32, count int) {
	m := l.Momentum
	unbias := float32(1)
	if count > 1 {
		unbias = float32(count) / float32(count-1)
	}
	mm, mv := l.MovingMean.Value, l.MovingVariance.Value
	for i := range mm {
		mm[i] = m*mm[i] + (1-m)*mean[i]
		mv[i] = m*mv[i] + (1-m)*variance[i]*unbias
	}
}
