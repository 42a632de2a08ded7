// Package mobilenet builds MobileNetV2 (Sandler et al., 2018) as
// keras.applications.MobileNetV2 builds it: the same layers in the same
// order, with Keras's layer names (Conv1, bn_Conv1, Conv1_relu,
// expanded_conv_depthwise, block_1_expand, block_1_pad, ..., Conv_1,
// Conv_1_bn, out_relu, predictions), its correct_pad zero padding before
// every strided depthwise convolution, _make_divisible channel rounding for
// any width multiplier alpha, and any input of at least 32×32. Importing
// the package registers "mobilenetv2" and its published widths in the
// general architecture registry (package models).
//
// Architectures are inference graphs (ops.Graph); training them is the
// train package's business.
package mobilenet
