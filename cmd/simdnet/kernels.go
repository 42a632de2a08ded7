package main

import (
	"fmt"
	"io"
	"runtime"
	"strings"

	"github.com/klauspost/cpuid/v2"
	"github.com/simdnet/simdnet/gemm"
)

func init() {
	register("kernels", "CPU features and the GEMM kernels (float and int8) this machine runs", runKernels)
}

func runKernels(args []string, stdout io.Writer) error {
	fs := newFlags("kernels", "kernels", stdout)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	printMachine(stdout)
	fmt.Fprintln(stdout, "kernels (fastest last):")
	sel := gemm.Selected()
	for _, k := range gemm.Kernels() {
		mark := " "
		if k.Name == sel.Name {
			mark = "*"
		}
		fmt.Fprintf(stdout, " %s %s\n", mark, k.String())
	}
	fmt.Fprintln(stdout, "(* = selected; SIMDNET_KERNEL=generic|avx2|avx512 forces one)")
	fmt.Fprintln(stdout, "int8 kernels (u8 × s8 → s32, fastest last):")
	selQ := gemm.SelectedQ()
	for _, k := range gemm.QKernels() {
		mark := " "
		if k.Name == selQ.Name {
			mark = "*"
		}
		fmt.Fprintf(stdout, " %s %s\n", mark, k.String())
	}
	fmt.Fprintln(stdout, "(* = selected; SIMDNET_QKERNEL=generic|avx2|avxvnni|avx512vnni forces one)")
	return nil
}

// printMachine is the header of every speed report: what ran, and where.
func printMachine(w io.Writer) {
	c := cpuid.CPU
	var feats []string
	for _, f := range []cpuid.FeatureID{cpuid.AVX, cpuid.AVX2, cpuid.FMA3, cpuid.AVX512F, cpuid.AVX512BW, cpuid.AVX512VNNI, cpuid.AVXVNNI} {
		if c.Supports(f) {
			feats = append(feats, f.String())
		}
	}
	sel := gemm.Selected()
	fmt.Fprintf(w, "cpu: %s (%d logical cores, L1d %d KiB, L2 %d KiB, L3 %d KiB)\n",
		c.BrandName, c.LogicalCores, c.Cache.L1D>>10, c.Cache.L2>>10, c.Cache.L3>>10)
	fmt.Fprintf(w, "features: %s\n", strings.Join(feats, " "))
	fmt.Fprintf(w, "go: %s %s/%s, GOMAXPROCS=%d, kernel: %s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0), sel.String())
}
