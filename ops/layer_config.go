package ops

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
)

// Layers describe themselves in Keras's terms so that a model file can carry
// any graph: saving asks each layer for its Keras config, loading turns
// each config back into a layer through a registry keyed by Keras class
// name. Adding a layer touches only the layer's own files.
//
// # What a layer author implements
//
// In the layer's own file (conv2d_config.go beside conv2d.go, say):
//
//  1. A method KerasConfig() map[string]any on the layer (the Configurable
//     interface) returning the arguments Keras's get_config() would give,
//     under Keras's keys and with Keras's JSON types: "filters": 64,
//     "kernel_size": []int{3, 3}, "padding": "same", "activation": "relu".
//     Leave out "name": the caller adds it. Every argument that changes
//     what the layer computes or which weights it has must be there, so
//     that building the config again gives the same layer.
//
//  2. A builder, func(*LayerSpec) (Layer, error), registered from an init
//     function:
//
//     func init() { RegisterLayer("Conv2D", conv2DFromConfig) }
//
//     The builder reads its arguments with the LayerSpec getters (Int,
//     OptInt, Pair, OptPair, OptBool, OptFloat, OptString, Activation,
//     Padding, Input), which record a missing required key or a value of
//     the wrong type; it returns s.Err() if that is not nil. Before
//     allocating any parameter it calls s.Reserve with the parameter
//     shapes, which refuses sizes beyond what the caller allows (the
//     tensors a model file actually stores), so a tiny hostile file cannot
//     make it allocate gigabytes. Reserve exactly the parameters the layer
//     will have (Optional leaves out a bias with use_bias=False):
//     reserving more makes the layer refuse its own file, which
//     TestEveryLayerRoundTrips checks by building each case with a budget
//     of exactly its parameters. It then builds the layer with s.Name and
//     s.RNG (nil: leave weights zero, they are about to be loaded) and
//     returns the constructor's error as it is. Arguments Keras has but
//     the layer does not support (data_format "channels_first", say) are
//     errors, never silently ignored; keys that do not change the result
//     (trainable, dtype, regularizers) may be ignored.
//
// A layer without KerasConfig can run in a Graph but cannot be saved; the
// error names it. The test TestEveryLayerRoundTrips in layer_config_test.go
// lists the layers it checks: add yours.

// Configurable is a layer that can describe itself as a Keras layer config.
type Configurable interface {
	Layer
	// KerasConfig returns the layer's Keras config without "name", as
	// values encoding/json marshals to Keras's types.
	KerasConfig() map[string]any
}

// LayerBuilder builds a layer from its Keras config; see LayerSpec.
type LayerBuilder func(s *LayerSpec) (Layer, error)

var registry = struct {
	sync.RWMutex
	builders map[string]LayerBuilder
}{builders: map[string]LayerBuilder{}}

// RegisterLayer makes class buildable from a config. It is meant for init
// functions and panics when class is empty, b is nil or class is already
// registered: those are programming errors found on the first run.
func RegisterLayer(class string, b LayerBuilder) {
	if class == "" || b == nil {
		panic("ops: RegisterLayer with an empty class or nil builder")
	}
	registry.Lock()
	defer registry.Unlock()
	if _, dup := registry.builders[class]; dup {
		panic("ops: RegisterLayer: " + class + " registered twice")
	}
	registry.builders[class] = b
}

// RegisteredLayers returns the registered Keras class names, sorted.
func RegisteredLayers() []string {
	registry.RLock()
	defer registry.RUnlock()
	names := make([]string, 0, len(registry.builders))
	for n := range registry.builders {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// LayerConfigOf returns l's Keras class name and config, "name" included,
// or an error naming the layer when it cannot describe itself.
func LayerConfigOf(l Layer) (string, map[string]any, error) {
	c, ok := l.(Configurable)
	if !ok {
		return "", nil, layerErr(l, "cannot be saved: the layer has no KerasConfig method")
	}
	cfg := c.KerasConfig()
	out := make(map[string]any, len(cfg)+1)
	for k, v := range cfg {
		out[k] = v
	}
	out["name"] = l.LayerName()
	return l.Class(), out, nil
}

// MaxConfigInt is the largest integer a layer config may hold, as int32
// bounds TensorFlow's. It keeps sums and products of a few arguments (a
// padded size, a kernel's element count) far from overflowing.
const MaxConfigInt = math.MaxInt32

// LayerSpec is what a LayerBuilder builds from: the layer's class, name,
// per-sample input shapes and Keras config, with getters that record
// errors naming the layer and the key, so a builder reads straight through
// and checks Err once.
type LayerSpec struct {
	Class string
	Name  string
	// In holds the per-sample shapes of the layer's inputs, in order.
	In []Shape
	// RNG initialises the weights; nil leaves them zero.
	RNG *rand.Rand

	fields map[string]json.RawMessage
	budget int // parameter values Reserve may still grant; < 0: no limit
	errs   []error
}

// NewLayerSpec parses a Keras config object for the named layer of class.
// maxParams bounds the parameter values the layer may allocate (see
// Reserve); a negative value means no bound.
func NewLayerSpec(class, name string, config json.RawMessage, in []Shape, maxParams int) (*LayerSpec, error) {
	s := &LayerSpec{Class: class, Name: name, In: in, budget: maxParams}
	if len(config) == 0 {
		config = json.RawMessage("{}")
	}
	if err := json.Unmarshal(config, &s.fields); err != nil {
		return nil, s.errorf("config is not a JSON object: %v", err)
	}
	if s.fields == nil { // "null"
		s.fields = map[string]json.RawMessage{}
	}
	return s, nil
}

// BuildLayer builds a layer of a registered class from its spec. It never
// panics on a bad config, whatever the builder does: a panic is turned
// into an error naming the layer.
func BuildLayer(s *LayerSpec) (l Layer, err error) {
	registry.RLock()
	b := registry.builders[s.Class]
	registry.RUnlock()
	if b == nil {
		return nil, s.errorf("unknown layer class (registered: %v)", RegisteredLayers())
	}
	defer func() {
		if r := recover(); r != nil {
			l, err = nil, s.errorf("building from the config failed: %v", r)
		}
	}()
	l, err = b(s)
	if err != nil {
		return nil, err
	}
	if l == nil {
		return nil, s.errorf("the builder returned no layer")
	}
	if l.LayerName() != s.Name || l.Class() != s.Class {
		return nil, s.errorf("the builder made layer %q of class %s", l.LayerName(), l.Class())
	}
	return l, nil
}

func (s *LayerSpec) errorf(format string, args ...any) error {
	return fmt.Errorf("ops: layer %q (%s): %s", s.Name, s.Class, fmt.Sprintf(format, args...))
}

// Fail records an error about the layer, for checks of the builder's own.
func (s *LayerSpec) Fail(format string, args ...any) {
	s.errs = append(s.errs, s.errorf(format, args...))
}

// Err returns the errors recorded so far, joined, or nil.
func (s *LayerSpec) Err() error { return errors.Join(s.errs...) }

// Has reports whether the config has key (with any value but null).
func (s *LayerSpec) Has(key string) bool {
	v, ok := s.fields[key]
	return ok && string(v) != "null"
}

// decode unmarshals key into v, reporting whether it was present.
func (s *LayerSpec) decode(key string, v any, want string) bool {
	if !s.Has(key) {
		return false
	}
	if err := json.Unmarshal(s.fields[key], v); err != nil {
		s.Fail("%s = %s, want %s", key, s.fields[key], want)
		return false
	}
	return true
}

func (s *LayerSpec) checkInt(key string, v int) int {
	if v < -MaxConfigInt || v > MaxConfigInt {
		s.Fail("%s = %d is out of range", key, v)
		return 0
	}
	return v
}

// Int returns a required integer argument.
func (s *LayerSpec) Int(key string) int {
	var v int
	if !s.decode(key, &v, "an integer") {
		if !s.Has(key) {
			s.Fail("config has no %q", key)
		}
		return 0
	}
	return s.checkInt(key, v)
}

// OptInt returns an integer argument, or def when it is absent.
func (s *LayerSpec) OptInt(key string, def int) int {
	if !s.Has(key) {
		return def
	}
	return s.Int(key)
}

// Pair returns a required argument Keras gives as one integer or a pair
// ("kernel_size": 3 or [3, 3]).
func (s *LayerSpec) Pair(key string) [2]int {
	if !s.Has(key) {
		s.Fail("config has no %q", key)
		return [2]int{}
	}
	var one int
	if json.Unmarshal(s.fields[key], &one) == nil {
		one = s.checkInt(key, one)
		return [2]int{one, one}
	}
	var two []int
	if !s.decode(key, &two, "an integer or a pair of integers") {
		return [2]int{}
	}
	if len(two) != 2 {
		s.Fail("%s = %s, want an integer or a pair of integers", key, s.fields[key])
		return [2]int{}
	}
	return [2]int{s.checkInt(key, two[0]), s.checkInt(key, two[1])}
}

// OptPair is Pair with a default for an absent key.
func (s *LayerSpec) OptPair(key string, def [2]int) [2]int {
	if !s.Has(key) {
		return def
	}
	return s.Pair(key)
}

// OptBool returns a boolean argument, or def when it is absent.
func (s *LayerSpec) OptBool(key string, def bool) bool {
	v := def
	s.decode(key, &v, "true or false")
	return v
}

// OptFloat returns a number argument, or def when it is absent.
func (s *LayerSpec) OptFloat(key string, def float64) float64 {
	v := def
	if s.decode(key, &v, "a number") && (math.IsNaN(v) || math.IsInf(v, 0)) {
		s.Fail("%s = %v, want a finite number", key, v)
	}
	return v
}

// OptString returns a string argument, or def when it is absent.
func (s *LayerSpec) OptString(key, def string) string {
	v := def
	s.decode(key, &v, "a string")
	return v
}

// Want records an error unless the string argument key, def when absent,
// is one of the values this layer supports.
func (s *LayerSpec) Want(key, def string, supported ...string) {
	v := s.OptString(key, def)
	if !slices.Contains(supported, v) {
		s.Fail("%s = %q is not supported (want %q)", key, v, supported)
	}
}

// Activation returns the activation argument key, Linear when absent.
func (s *LayerSpec) Activation(key string) ActFunc {
	name := s.OptString(key, "linear")
	a, err := ParseActFunc(name)
	if err != nil {
		s.Fail("%s: %v", key, err)
	}
	return a
}

// Padding returns the "padding" argument, Valid when absent.
func (s *LayerSpec) Padding() Padding {
	p, err := ParsePadding(s.OptString("padding", "valid"))
	if err != nil {
		s.Fail("padding: %v", err)
	}
	return p
}

// Input returns the layer's only input shape, recording an error unless
// there is exactly one of the given rank (-1: any rank of at least 1)
// with no empty dimension.
func (s *LayerSpec) Input(rank int) Shape {
	if len(s.In) != 1 {
		s.Fail("has %d inputs, want 1", len(s.In))
		return nil
	}
	in := s.In[0]
	if len(in) == 0 || rank >= 0 && len(in) != rank || slices.ContainsFunc(in, func(d int) bool { return d < 1 }) {
		s.Fail("input shape %v, want rank %d with no empty dimension", in.Keras(), rank)
		return nil
	}
	return in
}

// Optional returns shape when the layer has the parameter, nil when its
// configuration leaves it out: s.Reserve(kernel, Optional(!noBias, bias)).
func Optional(has bool, shape Shape) Shape {
	if !has {
		return nil
	}
	return shape
}

// Reserve grants the allocation of parameters of the given shapes, or
// returns an error when their values exceed what the spec allows (or a
// dimension is not positive). Builders call it before allocating, with
// exactly the parameters the layer will have: a nil shape stands for one
// the configuration leaves out (see Optional), and counts nothing.
func (s *LayerSpec) Reserve(shapes ...Shape) error {
	const huge = 1 << 50
	total := 0
	for _, sh := range shapes {
		if sh == nil {
			continue
		}
		n := 1
		for _, d := range sh {
			if d < 1 {
				return s.errorf("a parameter of shape %v has an empty dimension", sh)
			}
			if n > huge/d {
				n = huge
				break
			}
			n *= d
		}
		total = min(total+n, huge)
	}
	if s.budget >= 0 {
		if total > s.budget {
			return s.errorf("its parameters would hold %d values, more than the %d allowed (the tensors stored for it)", total, s.budget)
		}
		s.budget -= total
	}
	return nil
}
