package ops

import "fmt"

// The builder methods below mirror Keras's layer constructors. Each returns
// the new node, or nil after recording an error (see Graph).

// ZeroPadding2D pads each image with padH rows above and below and padW
// columns left and right: Keras's ZeroPadding2D((padH, padW)).
func (g *Graph) ZeroPadding2D(x *Node, padH, padW int) *Node {
	if g.missing("ZeroPadding2D", x) {
		return nil
	}
	return g.Apply(&ZeroPadding2D{Name: g.named("", "ZeroPadding2D"), Top: padH, Bottom: padH, Left: padW, Right: padW}, x)
}

// Conv2D adds a convolution with glorot_uniform weights.
func (g *Graph) Conv2D(x *Node, cfg Conv2DConfig) *Node {
	if g.missing("Conv2D", x) {
		return nil
	}
	cfg.Name = g.named(cfg.Name, "Conv2D")
	l, err := NewConv2D(cfg, channels(x), LayerRNG(g.seed, len(g.nodes)))
	if err != nil {
		return g.fail(err)
	}
	return g.Apply(l, x)
}

// BatchNormalization adds a batch normalisation over the channels with
// Keras's defaults (Keras's BatchNormalization(axis=3, name=name)); use
// NewBatchNormalization and Apply for other settings.
func (g *Graph) BatchNormalization(x *Node, name string) *Node {
	if g.missing("BatchNormalization", x) {
		return nil
	}
	l, err := NewBatchNormalization(BatchNormConfig{Name: g.named(name, "BatchNormalization"), Axis: -1}, channels(x))
	if err != nil {
		return g.fail(err)
	}
	if len(x.Shape) == 3 {
		l.Axis = 3 // as the tutorial writes it for images
	}
	return g.Apply(l, x)
}

// Activation adds an activation layer.
func (g *Graph) Activation(x *Node, f ActFunc) *Node {
	if g.missing("Activation", x) {
		return nil
	}
	return g.Apply(&Activation{Name: g.named("", "Activation"), Func: f}, x)
}

// Add sums its inputs, which must share one shape.
func (g *Graph) Add(xs ...*Node) *Node {
	if g.missing("Add", xs...) {
		return nil
	}
	return g.Apply(&Add{Name: g.named("", "Add")}, xs...)
}

// MaxPooling2D adds a max pooling layer.
func (g *Graph) MaxPooling2D(x *Node, cfg Pool2DConfig) *Node {
	if g.missing("MaxPooling2D", x) {
		return nil
	}
	cfg.Name = g.named(cfg.Name, "MaxPooling2D")
	l, err := NewMaxPooling2D(cfg)
	if err != nil {
		return g.fail(err)
	}
	return g.Apply(l, x)
}

// AveragePooling2D adds an average pooling layer.
func (g *Graph) AveragePooling2D(x *Node, cfg Pool2DConfig) *Node {
	if g.missing("AveragePooling2D", x) {
		return nil
	}
	cfg.Name = g.named(cfg.Name, "AveragePooling2D")
	l, err := NewAveragePooling2D(cfg)
	if err != nil {
		return g.fail(err)
	}
	return g.Apply(l, x)
}

// GlobalAveragePooling2D averages each channel over the image.
func (g *Graph) GlobalAveragePooling2D(x *Node) *Node {
	if g.missing("GlobalAveragePooling2D", x) {
		return nil
	}
	return g.Apply(&GlobalAveragePooling2D{Name: g.named("", "GlobalAveragePooling2D")}, x)
}

// GlobalMaxPooling2D takes each channel's maximum over the image.
func (g *Graph) GlobalMaxPooling2D(x *Node) *Node {
	if g.missing("GlobalMaxPooling2D", x) {
		return nil
	}
	return g.Apply(&GlobalMaxPooling2D{Name: g.named("", "GlobalMaxPooling2D")}, x)
}

// Flatten reshapes each sample to one axis.
func (g *Graph) Flatten(x *Node) *Node {
	if g.missing("Flatten", x) {
		return nil
	}
	return g.Apply(&Flatten{Name: g.named("", "Flatten")}, x)
}

// Dense adds a fully connected layer with glorot_uniform weights.
func (g *Graph) Dense(x *Node, cfg DenseConfig) *Node {
	if g.missing("Dense", x) {
		return nil
	}
	cfg.Name = g.named(cfg.Name, "Dense")
	l, err := NewDense(cfg, channels(x), LayerRNG(g.seed, len(g.nodes)))
	if err != nil {
		return g.fail(err)
	}
	return g.Apply(l, x)
}

// missing reports whether an input is nil. That is normally the trace of an
// earlier failed call, already recorded; otherwise it records the mistake.
func (g *Graph) missing(class string, xs ...*Node) bool {
	for _, x := range xs {
		if x == nil {
			if len(g.errs) == 0 {
				g.fail(fmt.Errorf("ops: %s: nil input", class))
			}
			return true
		}
	}
	return false
}
