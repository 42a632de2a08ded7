// Package weights stores simdnet models in safetensors files and imports the
// weights of Keras 2 HDF5 files.
//
// # Model files
//
// Save writes a model's parameters under their Keras names,
// "<layer>/<param>" — conv1/kernel [kh, kw, cin, cout], bn_conv1/gamma,
// bn_conv1/moving_variance, fc6/kernel [in, out] — and puts in the header's
// __metadata__ what it takes to rebuild the model: the graph, layer by
// layer, as a Keras model_config (class_name, config with the layer's name
// and arguments, inbound_nodes; see MarshalGraph), optional class names,
// the resnet.Config when the graph is a registered ResNet (WithArch), and
// the layout version. Load therefore rebuilds any graph made with ops'
// builder from the file alone, with no knowledge of its architecture:
//
//	err := weights.Save("signs.safetensors", g, weights.WithClasses(names...))
//	m, err := weights.Load("signs.safetensors")
//	probs, err := m.Graph.Forward(x, ops.Inference)
//
// Files of format 1, which name a registered ResNet instead of describing
// the graph, still load. The files are ordinary safetensors files, readable
// by any other implementation; package safetensors reads and writes the
// container.
//
// # Training checkpoints
//
// A checkpoint is a model file with extra named tensors (optimizer moments
// such as "adam/m/conv1/kernel") and free-form string metadata (epoch, RNG
// state, history as JSON). SaveCheckpoint and LoadCheckpoint store and
// restore both; every write replaces the file atomically, so a crash leaves
// the previous checkpoint intact.
//
// # Matching weights to a graph
//
// Assign copies any Source of named tensors — a safetensors file, a Keras
// HDF5 file, tensors in memory — into a graph's parameters. It is
// all-or-nothing: when anything does not fit (a tensor missing, one too many,
// a wrong shape or a non-float dtype) it changes nothing and returns one
// *MismatchError listing every problem by tensor name.
//
// # Keras
//
// OpenKeras reads the weights Keras 2 writes with model.save (under the
// model_weights group) or model.save_weights (at the root); ImportKeras loads
// them into a graph and ConvertKerasToSafetensors turns them into a model
// file, inferring what it can of the configuration from the file.
//
// # Untrusted files
//
// Every error names the file and, where one is at fault, the tensor,
// dataset or layer. Malformed files yield errors, never panics, and never a
// half-loaded model. Nothing is allocated on a size the file states before
// it is checked against what the file holds: a layer may allocate no more
// parameters than the file stores for it, a layer's output no more than
// DefaultMaxActivation values per sample (WithMaxActivation), an HDF5 read
// no more than its stored data can decode to (hdf5.WithMaxRead).
package weights
