// Package weights stores simdnet models in safetensors files and imports the
// weights of Keras 2 HDF5 files.
//
// # Model files
//
// Save writes a model's parameters under their Keras names,
// "<layer>/<param>" — conv1/kernel [kh, kw, cin, cout], bn_conv1/gamma,
// bn_conv1/moving_variance, fc6/kernel [in, out] — and puts in the header's
// __metadata__ what it takes to rebuild the model: the resnet.Config as JSON,
// optional class names and the layout version. Load therefore rebuilds a
// runnable model from the file alone:
//
//	err := weights.Save("signs.safetensors", g, cfg, weights.WithClasses(names...))
//	m, err := weights.Load("signs.safetensors")
//	probs, err := m.Graph.Forward(x, ops.Inference)
//
// The files are ordinary safetensors files, readable by any other
// implementation; package safetensors reads and writes the container.
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
// Every error names the file and, where one is at fault, the tensor or
// dataset. Malformed files yield errors, never panics, and never a
// half-loaded model.
package weights
