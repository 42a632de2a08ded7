package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/simdnet/simdnet/bench"
	"github.com/simdnet/simdnet/gemm"
)

func init() {
	register("bench", "speed on synthetic data: bench [gemm|resnet50|train]; bench --arch A --input HxWxC --classes N, or --model M, times any network", runBench)
}

func runBench(args []string, stdout io.Writer) error {
	what := "resnet50"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		what, args = args[0], args[1:]
	}
	switch what {
	case "gemm":
		return benchGEMM(args, stdout)
	}
	if fn, ok := benchTargets[what]; ok {
		return fn(args, stdout)
	}
	return usagef("unknown benchmark %q (want gemm, resnet50 or train)", what)
}

// benchTargets holds the benchmarks other files of the command add.
var benchTargets = map[string]func(args []string, stdout io.Writer) error{}

func benchGEMM(args []string, stdout io.Writer) error {
	fs := newFlags("bench gemm", "bench gemm [flags]", stdout)
	threads := fs.Int("threads", 1, "goroutines per product (0: GOMAXPROCS)")
	kernel := fs.String("kernel", "", "kernel ISA to time: generic, avx2, avx512 (with --int8: generic, avx2, avxvnni, avx512vnni), or all (default: the selected one)")
	int8 := fs.Bool("int8", false, "time the int8 product (u8 × s8 → s32, requantized to u8) beside one core's measured int8 peak")
	shapes := fs.String("shapes", "", "regular expression choosing shapes by name, e.g. 'square|b32'")
	sweep := fs.Bool("sweep", false, "sweep MC, KC, NC on the first chosen shape and print the best for this CPU")
	round := fs.Duration("round", 300*time.Millisecond, "minimum length of a timed round")
	asJSON := fs.Bool("json", false, "print one JSON object as the last line")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := firstError(noArgs(fs), intBetween("threads", *threads, 0, maxThreads), positiveDuration("round", *round)); err != nil {
		return err
	}
	list, err := chooseShapes(*shapes)
	if err != nil {
		return err
	}
	if *int8 {
		if *sweep {
			return usagef("--sweep tunes the float kernels; it does not go with --int8")
		}
		return benchQGEMM(stdout, list, *kernel, *threads, *round, *asJSON)
	}
	kerns, err := chooseKernels(*kernel)
	if err != nil {
		return err
	}
	if *sweep && len(kerns) > 1 {
		return usagef("--sweep tunes one kernel; --kernel all names %d", len(kerns))
	}
	printMachine(stdout)
	if *sweep {
		return sweepGEMM(stdout, list[0], kerns[0], *threads, *round, *asJSON)
	}
	fmt.Fprintf(stdout, "%-22s %6s %6s %6s  %-18s %7s %9s\n", "shape", "M", "N", "K", "kernel", "threads", "GFLOPS")
	var results []bench.GEMMResult
	for _, s := range list {
		for _, k := range kerns {
			r := bench.GEMM(s, k, *threads, *round)
			results = append(results, r)
			fmt.Fprintf(stdout, "%-22s %6d %6d %6d  %-18s %7d %9.1f\n", s.Name, s.M, s.N, s.K, k.Name, *threads, r.GFLOPS)
		}
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(map[string]any{"bench": "gemm", "results": results})
	}
	return nil
}

// benchQGEMM is bench gemm --int8: GOPS per shape and int8 kernel, with the
// share of the measured peak of the kernel's instructions.
func benchQGEMM(stdout io.Writer, list []bench.Shape, isa string, threads int, round time.Duration, asJSON bool) error {
	kerns, err := chooseQKernels(isa)
	if err != nil {
		return err
	}
	printMachine(stdout)
	peaks := map[string]float64{}
	for _, k := range kerns {
		if g, ok := gemm.Int8PeakGOPS(k.ISA, 200*time.Millisecond); ok {
			peaks[k.ISA] = g
			fmt.Fprintf(stdout, "int8 peak of %s's instructions, one core: %.1f GOPS\n", k.Name, g)
		}
	}
	fmt.Fprintf(stdout, "%-22s %6s %6s %6s  %-22s %7s %9s %6s\n", "shape", "M", "N", "K", "kernel", "threads", "GOPS", "peak")
	var results []bench.QGEMMResult
	for _, s := range list {
		for _, k := range kerns {
			r := bench.QGEMM(s, k, threads, round, peaks[k.ISA])
			results = append(results, r)
			share := "-"
			if r.PeakShare > 0 {
				share = fmt.Sprintf("%.0f%%", 100*r.PeakShare)
			}
			fmt.Fprintf(stdout, "%-22s %6d %6d %6d  %-22s %7d %9.1f %6s\n", s.Name, s.M, s.N, s.K, k.Name, threads, r.GOPS, share)
		}
	}
	if asJSON {
		return json.NewEncoder(stdout).Encode(map[string]any{"bench": "gemm-int8", "peaks": peaks, "results": results})
	}
	return nil
}

// chooseQKernels is chooseKernels for the int8 kernels.
func chooseQKernels(isa string) ([]gemm.QKernel, error) {
	switch isa {
	case "":
		return []gemm.QKernel{gemm.SelectedQ()}, nil
	case "all":
		return gemm.QKernels(), nil
	}
	k, ok := gemm.QKernelByISA(isa)
	if !ok {
		var have []string
		for _, k := range gemm.QKernels() {
			have = append(have, k.ISA)
		}
		return nil, usagef("--kernel %q is not an int8 kernel available on this CPU/build (have %s, or all)", isa, strings.Join(have, ", "))
	}
	return []gemm.QKernel{k}, nil
}

// chooseShapes picks the shapes --shapes names (all when empty).
func chooseShapes(pattern string) ([]bench.Shape, error) {
	list := bench.GEMMShapes()
	if pattern == "" {
		return list, nil
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, usagef("--shapes %q is not a regular expression: %v", pattern, err)
	}
	var keep []bench.Shape
	var names []string
	for _, s := range list {
		names = append(names, s.Name)
		if re.MatchString(s.Name) {
			keep = append(keep, s)
		}
	}
	if len(keep) == 0 {
		return nil, usagef("--shapes %q matches no shape (have %s)", pattern, strings.Join(names, ", "))
	}
	return keep, nil
}

func sweepGEMM(w io.Writer, s bench.Shape, k gemm.Kernel, threads int, round time.Duration, asJSON bool) error {
	fmt.Fprintf(w, "sweeping block sizes of %s on %s (%dx%dx%d), %d thread(s)\n", k.Name, s.Name, s.M, s.N, s.K, threads)
	// MC goes with KC: the A block (MC×KC) is what must stay in L2, so each
	// depth is tried with blocks of 128 to 512 KiB.
	var res []bench.SweepResult
	for _, kc := range []int{192, 256, 384, 512, 704, 896, 1024} {
		var mcs []int
		for _, blockKiB := range []int{128, 256, 384, 512} {
			mcs = append(mcs, blockKiB<<10/(4*kc))
		}
		res = append(res, bench.Sweep(s, k, threads, mcs, []int{kc}, []int{k.NR * 32, k.NR * 128}, round)...)
	}
	slices.SortStableFunc(res, func(a, b bench.SweepResult) int { return cmp.Compare(b.GFLOPS, a.GFLOPS) })
	for _, r := range res {
		fmt.Fprintf(w, "MC=%-5d KC=%-4d NC=%-5d %7.1f GFLOPS\n", r.MC, r.KC, r.NC, r.GFLOPS)
	}
	b := res[0]
	fmt.Fprintf(w, "best: SIMDNET_GEMM_MC=%d SIMDNET_GEMM_KC=%d SIMDNET_GEMM_NC=%d (%.1f GFLOPS; default MC=%d KC=%d NC=%d)\n",
		b.MC, b.KC, b.NC, b.GFLOPS, k.MC, k.KC, k.NC)
	if asJSON {
		return json.NewEncoder(w).Encode(map[string]any{"bench": "gemm-sweep", "shape": s.Name, "kernel": k.Name,
			"threads": threads, "results": res, "best": b})
	}
	return nil
}

// chooseKernels turns --kernel into kernels: "" is the selected one, "all"
// every one this CPU runs.
func chooseKernels(isa string) ([]gemm.Kernel, error) {
	switch isa {
	case "":
		return []gemm.Kernel{gemm.Selected()}, nil
	case "all":
		return gemm.Kernels(), nil
	}
	k, ok := gemm.KernelByISA(isa)
	if !ok {
		var have []string
		for _, k := range gemm.Kernels() {
			have = append(have, k.ISA)
		}
		return nil, usagef("--kernel %q is not available on this CPU/build (have %s, or all)", isa, strings.Join(have, ", "))
	}
	return []gemm.Kernel{k}, nil
}
