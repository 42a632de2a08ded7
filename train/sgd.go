package train

import (
	"github.com/simdnet/simdnet/ops"

	"github.com/simdnet/simdnet/internal/parallel"
)

// SGD is Keras's SGD optimizer: with momentum μ and velocity u (zero at
// first),
//
//	u  = μ·u - lr·g
//	w += u                 (or, with Nesterov, w += μ·u - lr·g)
//
// and plain w -= lr·g when μ is zero.
type SGD struct {
	Momentum float64
	Nesterov bool
	// WeightDecay adds WeightDecay·w to the gradient of every kernel, as
	// Adam's does.
	WeightDecay float64

	lr         float32
	iterations int
	u          slots
}

// NewSGD returns SGD with the given learning rate and momentum (Keras's
// defaults are 0.01 and 0).
func NewSGD(lr, momentum float64, nesterov bool) *SGD {
	return &SGD{Momentum: momentum, Nesterov: nesterov, lr: float32(lr)}
}

func (s *SGD) SetLearningRate(lr float64) { s.lr = float32(lr) }
func (s *SGD) LearningRate() float64      { return float64(s.lr) }
func (s *SGD) Iterations() int            { return s.iterations }

// Update takes one SGD step on the trainable params.
func (s *SGD) Update(params []*ops.Param, grads [][]float32) {
	s.iterations++
	lr, mu := s.lr, float32(s.Momentum)
	for i, p := range params {
		if !p.Trainable {
			continue
		}
		w, g := p.Value, grads[i]
		var wd float32
		if isKernel(p) {
			wd = float32(s.WeightDecay)
		}
		var u []float32
		if mu != 0 {
			u = s.u.of(p)
		}
		parallel.For(len(w), parallel.MinWork, func(lo, hi int) {
			w, g := w[lo:hi], g[lo:hi]
			g = g[:len(w)]
			for j, x := range g {
				if wd != 0 {
					x += wd * w[j]
				}
				switch {
				case u == nil:
					w[j] -= lr * x
				case s.Nesterov:
					uj := mu*u[lo+j] - lr*x
					u[lo+j] = uj
					w[j] += mu*uj - lr*x
				default:
					uj := mu*u[lo+j] - lr*x
					u[lo+j] = uj
					w[j] += uj
				}
			}
		})
	}
}

func (s *SGD) schema() stateSchema {
	sc := stateSchema{prefix: "sgd", scalars: []string{"iterations", "learning_rate"}}
	if s.Momentum != 0 {
		sc.slots = []string{"momentum"} // as Keras, only when there is momentum
	}
	return sc
}

// State returns the step count, the learning rate and, with momentum, the
// velocity of every trainable parameter.
func (s *SGD) State(params []NamedParam) map[string][]float32 {
	sc := s.schema()
	st := map[string][]float32{
		sc.scalarKey("iterations"):    {float32(s.iterations)},
		sc.scalarKey("learning_rate"): {s.lr},
	}
	for _, p := range trainable(params) {
		for _, sl := range sc.slots {
			st[sc.slotKey(sl, p)] = append([]float32(nil), s.u.of(p.Param)...)
		}
	}
	return st
}

// LoadState restores what State returned.
func (s *SGD) LoadState(params []NamedParam, state map[string][]float32) error {
	sc := s.schema()
	if err := sc.check(params, state); err != nil {
		return err
	}
	it, err := iterationsValue(sc.prefix, state[sc.scalarKey("iterations")][0])
	if err != nil {
		return err
	}
	s.iterations, s.lr = it, state[sc.scalarKey("learning_rate")][0]
	for _, p := range trainable(params) {
		for _, sl := range sc.slots {
			copy(s.u.of(p.Param), state[sc.slotKey(sl, p)])
		}
	}
	return nil
}
