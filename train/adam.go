package train

import (
	"github.com/simdnet/simdnet/internal/parallel"

	"math"

	"github.com/simdnet/simdnet/internal/vec"
	"github.com/simdnet/simdnet/ops"
)

// Adam is Keras's Adam optimizer. With t the step number (from 1),
//
//	m    = β1·m + (1-β1)·g
//	v    = β2·v + (1-β2)·g²
//	lr_t = lr·sqrt(1-β2^t)/(1-β1^t)
//	w   -= lr_t·m/(sqrt(v) + ε)
//
// where the moments are float32 like the weights, and lr_t is computed in
// float64 from the float32 learning rate.
type Adam struct {
	Beta1, Beta2, Epsilon float64
	// WeightDecay, when positive, adds WeightDecay·w to the gradient of
	// every kernel (an L2 penalty of WeightDecay/2·‖w‖² in the loss); biases
	// and BatchNormalization parameters are not decayed.
	WeightDecay float64

	lr         float32
	iterations int
	m, v       slots
}

// NewAdam returns Adam with Keras's defaults: learning rate 0.001,
// β1 = 0.9, β2 = 0.999, ε = 1e-7.
func NewAdam() *Adam {
	return &Adam{Beta1: 0.9, Beta2: 0.999, Epsilon: 1e-7, lr: 0.001}
}

func (a *Adam) SetLearningRate(lr float64) { a.lr = float32(lr) }
func (a *Adam) LearningRate() float64      { return float64(a.lr) }
func (a *Adam) Iterations() int            { return a.iterations }

// Update takes one Adam step on the trainable params.
func (a *Adam) Update(params []*ops.Param, grads [][]float32) {
	a.iterations++
	t := float64(a.iterations)
	lrt := float32(float64(a.lr) * math.Sqrt(1-math.Pow(a.Beta2, t)) / (1 - math.Pow(a.Beta1, t)))
	b1, b2 := float32(a.Beta1), float32(a.Beta2)
	k := vec.AdamConsts{B1: b1, C1: 1 - b1, B2: b2, C2: 1 - b2, LR: lrt, Eps: float32(a.Epsilon)}
	for i, p := range params {
		if !p.Trainable {
			continue
		}
		w, g, m, v := p.Value, grads[i], a.m.of(p), a.v.of(p)
		k := k
		k.WD = 0
		if isKernel(p) {
			k.WD = float32(a.WeightDecay)
		}
		parallel.For(len(w), parallel.MinWork, func(lo, hi int) {
			vec.Adam(w[lo:hi], g[lo:hi], m[lo:hi], v[lo:hi], &k)
		})
	}
}

var adamSchema = stateSchema{prefix: "adam", scalars: []string{"iterations", "learning_rate"}, slots: []string{"m", "v"}}

// State returns the step count, the learning rate and both moments of
// every trainable parameter (zero for those not yet updated).
func (a *Adam) State(params []NamedParam) map[string][]float32 {
	s := adamSchema
	st := map[string][]float32{
		s.scalarKey("iterations"):    {float32(a.iterations)},
		s.scalarKey("learning_rate"): {a.lr},
	}
	for _, p := range trainable(params) {
		st[s.slotKey("m", p)] = append([]float32(nil), a.m.of(p.Param)...)
		st[s.slotKey("v", p)] = append([]float32(nil), a.v.of(p.Param)...)
	}
	return st
}

// LoadState restores what State returned.
func (a *Adam) LoadState(params []NamedParam, state map[string][]float32) error {
	s := adamSchema
	if err := s.check(params, state); err != nil {
		return err
	}
	it, err := iterationsValue(s.prefix, state[s.scalarKey("iterations")][0])
	if err != nil {
		return err
	}
	a.iterations, a.lr = it, state[s.scalarKey("learning_rate")][0]
	for _, p := range trainable(params) {
		copy(a.m.of(p.Param), state[s.slotKey("m", p)])
		copy(a.v.of(p.Param), state[s.slotKey("v", p)])
	}
	return nil
}
