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
