package ops

// Builder methods for the layers of today's CNNs (MobileNet, EfficientNet,
// ShuffleNet, ConvNeXt, ...), in the style of graph_layers.go.

// layer names the layer of the given class (an empty name becomes Keras's
// automatic one), makes it with make and applies it to xs.
func (g *Graph) layer(class, name string, make func(name string) (Layer, error), xs ...*Node) *Node {
	if g.missing(class, xs...) {
		return nil
	}
	l, err := make(g.named(name, class))
	if err != nil {
		return g.fail(err)
	}
	return g.Apply(l, xs...)
}

// DepthwiseConv2D adds a depthwise convolution with glorot_uniform weights.
func (g *Graph) DepthwiseConv2D(x *Node, cfg DepthwiseConv2DConfig) *Node {
	return g.layer("DepthwiseConv2D", cfg.Name, func(name string) (Layer, error) {
		cfg.Name = name
		return NewDepthwiseConv2D(cfg, channels(x), LayerRNG(g.seed, len(g.nodes)))
	}, x)
}

// ReLU adds Keras's ReLU layer (ReLU6Config(name) gives MobileNet's ReLU6).
func (g *Graph) ReLU(x *Node, cfg ReLUConfig) *Node {
	return g.layer("ReLU", cfg.Name, func(name string) (Layer, error) {
		cfg.Name = name
		return NewReLU(cfg)
	}, x)
}

// LeakyReLU adds Keras's LeakyReLU layer with the given negative slope
// (DefaultLeakyReLUSlope is Keras's default).
func (g *Graph) LeakyReLU(x *Node, negativeSlope float32) *Node {
	return g.layer("LeakyReLU", "", func(name string) (Layer, error) {
		return &LeakyReLULayer{Name: name, NegativeSlope: negativeSlope}, nil
	}, x)
}

// SeparableConv2D adds a depthwise-separable convolution with
// glorot_uniform kernels.
func (g *Graph) SeparableConv2D(x *Node, cfg SeparableConv2DConfig) *Node {
	return g.layer("SeparableConv2D", cfg.Name, func(name string) (Layer, error) {
		cfg.Name = name
		return NewSeparableConv2D(cfg, channels(x), LayerRNG(g.seed, len(g.nodes)))
	}, x)
}

// Concatenate joins its inputs along axis (Keras's, counting the batch: -1
// or 3 for channels).
func (g *Graph) Concatenate(axis int, xs ...*Node) *Node {
	return g.layer("Concatenate", "", func(name string) (Layer, error) {
		return &Concatenate{Name: name, Axis: axis}, nil
	}, xs...)
}

// Multiply multiplies its inputs, broadcasting (x by a (1, 1, C) scale).
func (g *Graph) Multiply(xs ...*Node) *Node {
	return g.layer("Multiply", "", func(name string) (Layer, error) { return &Multiply{Name: name}, nil }, xs...)
}

// Subtract is a - b, broadcasting.
func (g *Graph) Subtract(a, b *Node) *Node {
	return g.layer("Subtract", "", func(name string) (Layer, error) { return &Subtract{Name: name}, nil }, a, b)
}

// Maximum, Minimum and Average combine their inputs element by element.
func (g *Graph) Maximum(xs ...*Node) *Node {
	return g.layer("Maximum", "", func(name string) (Layer, error) { return &Maximum{Name: name}, nil }, xs...)
}

func (g *Graph) Minimum(xs ...*Node) *Node {
	return g.layer("Minimum", "", func(name string) (Layer, error) { return &Minimum{Name: name}, nil }, xs...)
}

func (g *Graph) Average(xs ...*Node) *Node {
	return g.layer("Average", "", func(name string) (Layer, error) { return &Average{Name: name}, nil }, xs...)
}

// Reshape gives each sample the target shape (one dimension may be -1).
func (g *Graph) Reshape(x *Node, target ...int) *Node {
	return g.layer("Reshape", "", func(name string) (Layer, error) {
		return &Reshape{Name: name, TargetShape: Shape(target).Clone()}, nil
	}, x)
}

// Slice keeps [start, stop) of one axis of each sample (Keras's axis
// counting: 3 is an image's channels).
func (g *Graph) Slice(x *Node, axis, start, stop int) *Node {
	return g.layer("Slice", "", func(name string) (Layer, error) {
		return &Slice{Name: name, Axis: axis, Start: start, Stop: stop}, nil
	}, x)
}

// Permute reorders each sample's axes; dims is a permutation of 1..rank.
func (g *Graph) Permute(x *Node, dims ...int) *Node {
	return g.layer("Permute", "", func(name string) (Layer, error) {
		return &Permute{Name: name, Dims: append([]int(nil), dims...)}, nil
	}, x)
}

// Dropout drops a fraction rate of the values while training.
func (g *Graph) Dropout(x *Node, rate float32, seed uint64) *Node {
	return g.layer("Dropout", "", func(name string) (Layer, error) { return NewDropout(name, rate, seed) }, x)
}

// SpatialDropout2D drops a fraction rate of each image's channels while
// training.
func (g *Graph) SpatialDropout2D(x *Node, rate float32, seed uint64) *Node {
	return g.layer("SpatialDropout2D", "", func(name string) (Layer, error) { return NewSpatialDropout2D(name, rate, seed) }, x)
}

// LayerNormalization normalises each channel vector.
func (g *Graph) LayerNormalization(x *Node, cfg LayerNormConfig) *Node {
	return g.layer("LayerNormalization", cfg.Name, func(name string) (Layer, error) {
		cfg.Name = name
		return NewLayerNormalization(cfg, channels(x))
	}, x)
}

// Rescaling computes x·scale + offset.
func (g *Graph) Rescaling(x *Node, scale, offset float32) *Node {
	return g.layer("Rescaling", "", func(name string) (Layer, error) {
		return &Rescaling{Name: name, Scale: scale, Offset: offset}, nil
	}, x)
}

// Normalization standardises each channel with the given mean and
// variance (nil: 0 and 1, for statistics about to be loaded).
func (g *Graph) Normalization(x *Node, mean, variance []float32) *Node {
	return g.layer("Normalization", "", func(name string) (Layer, error) {
		return NewNormalization(name, channels(x), mean, variance)
	}, x)
}

// GlobalAveragePooling2DKeepdims averages each channel into a (1, 1, C)
// output, Keras's keepdims=True.
func (g *Graph) GlobalAveragePooling2DKeepdims(x *Node) *Node {
	return g.layer("GlobalAveragePooling2D", "", func(name string) (Layer, error) {
		return &GlobalAveragePooling2D{Name: name, Keepdims: true}, nil
	}, x)
}

// GlobalMaxPooling2DKeepdims takes each channel's maximum into a (1, 1, C)
// output.
func (g *Graph) GlobalMaxPooling2DKeepdims(x *Node) *Node {
	return g.layer("GlobalMaxPooling2D", "", func(name string) (Layer, error) {
		return &GlobalMaxPooling2D{Name: name, Keepdims: true}, nil
	}, x)
}
