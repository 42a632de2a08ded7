package ops

import (
	"math"
	"math/rand/v2"
)

// Param is one named weight array of a layer. Name is the Keras weight name
// ("kernel", "bias", "gamma", "beta", "moving_mean", "moving_variance"), so
// that layer name, Param name and Shape map one to one onto a Keras weight
// such as conv1/kernel:0. Non-trainable parameters (BatchNormalization's
// moving statistics) change only through the layer's own updates.
type Param struct {
	Name      string
	Shape     Shape
	Value     []float32
	Trainable bool
}

func newParam(name string, trainable bool, shape ...int) *Param {
	s := Shape(shape).Clone()
	return &Param{Name: name, Shape: s, Value: make([]float32, s.Len()), Trainable: trainable}
}

// Len is the number of values.
func (p *Param) Len() int { return len(p.Value) }

// Fill sets every value to v.
func (p *Param) Fill(v float32) {
	for i := range p.Value {
		p.Value[i] = v
	}
}

// GlorotUniform fills dst with Keras's glorot_uniform initialisation:
// uniform on [-limit, limit) with limit = sqrt(6 / (fanIn + fanOut)). Values
// are drawn in order with rng.Float64, so a given generator state always
// yields the same weights.
func GlorotUniform(dst []float32, fanIn, fanOut int, rng *rand.Rand) {
	limit := math.Sqrt(6 / float64(fanIn+fanOut))
	for i := range dst {
		dst[i] = float32((2*rng.Float64() - 1) * limit)
	}
}

// LayerRNG is the generator a Graph hands to the layer it creates at index
// (in creation order): PCG seeded with (seed, index). Weights then depend
// only on the graph seed and the layer's position, never on which other
// layers drew numbers before it.
func LayerRNG(seed uint64, index int) *rand.Rand {
	return rand.New(rand.NewPCG(seed, uint64(index)))
}
