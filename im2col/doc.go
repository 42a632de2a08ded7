// Package im2col turns the sliding windows of a 2-D convolution over an NHWC
// (channels-last) batch into rows of a matrix, so that a convolution becomes a
// matrix product with the Keras kernel [kh, kw, cin, cout] flattened to
// [kh*kw*cin, cout].
//
// Row r of the patch matrix is the output pixel (n, oh, ow) with
// r = (n*OutH + oh)*OutW + ow; column p is the kernel tap and channel
// p = (ky*KW + kx)*C + c. Padding is never materialised: taps that fall
// outside the image read as zero.
//
// Im2Col builds the whole matrix, Packer hands it to gemm block by block in
// the micro-kernel's layout without building it, and Col2Im is the adjoint
// of Im2Col (it scatter-adds patch gradients back onto the input) for the
// backward pass.
package im2col
