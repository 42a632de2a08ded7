// Package dwconv computes depthwise convolutions over NHWC images with
// SIMD micro-kernels: each output channel is the sum, over the taps of its
// own kh×kw window, of one input channel times a weight, plus a bias, then
// clipped to [lo, hi] (no clip, ReLU and ReLU6 are the cases networks use).
// It knows nothing of layers: a planner folds BatchNorm into the weights and
// bias, picks the clip, and calls Conv.Row or Conv.Image. NewActivated takes
// any activation of internal/vec instead: none, ReLU and clip run fused in
// the kernel, the others (LeakyReLU, hard_swish, sigmoid, SiLU) run over
// each output row right after the kernel writes it, while it is in cache.
//
// Depth multipliers above 1 (output channel c·m+j reads input channel c)
// are packed as m weight sets; Row computes each set's row into a scratch
// row and interleaves it into the output.
//
// The method is XNNPACK's "unipass" depthwise micro-kernel: channels lie
// across the vector lanes, so a vector of 16 (AVX-512) or 2×8 (AVX2)
// channels of one output pixel accumulates one fused multiply-add per tap,
// the taps unrolled (nine for 3×3, MobileNet's case) or looped over (any
// other window: 5×5 for EfficientNet and MobileNetV3, 7×7, 1×k). Weights
// are packed once by Pack in the kernels' layout: tiles of 16 channels, each
// tile its bias then every tap, so that a tile's weights are one contiguous
// run read in order.
//
// A kernel call computes a run of output pixels of one row. It takes one
// input pointer per tap, already placed at the first pixel, and advances all
// of them by the same step per pixel (stride × channels). The 3×3 kernels
// hold a channel tile's ten weight vectors in registers while the whole run
// of pixels goes through them, one load per multiply-add; on AVX-512 the
// 5×5 kernel does the same with 26 weight registers. Padding costs no
// copy: a padded input row is replaced by a row of zeros (vertical
// padding), and the few pixels at the left and right edges, whose windows
// leave the image, are computed one at a time with the missing taps pointed
// at those zeros. Stride and dilation are only pointer arithmetic.
//
// Kernels: a portable Go kernel (every build, the twin the assembly is
// tested against), AVX2+FMA and AVX-512F in Go assembly. Channel counts that
// are not a multiple of 16 end in a masked tile (AVX-512 mask registers,
// AVX2 VMASKMOVPS), never an out-of-bounds read. The fastest kernel the CPU
// runs is used unless SIMDNET_DWCONV (generic, avx2, avx512) asks for
// another; Kernels lists them all for tests and benchmarks.
package dwconv
