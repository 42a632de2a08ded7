// Package bench measures simdnet's speed the way its users see it: GFLOPS of
// the GEMM engine per shape and kernel, block-size sweeps for tuning, and the
// ResNet50 figures (ms/img, img/s). The simdnet command's bench subcommand
// prints what this package measures; the go test benchmarks in this folder
// measure the same things for benchstat.
package bench
