package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/simdnet/simdnet/bench"
	"github.com/simdnet/simdnet/plan"
)

func init() {
	benchTargets["resnet50"] = benchResNet
}

func benchResNet(args []string, stdout io.Writer) error {
	fs := newFlags("bench resnet50", "bench resnet50 [flags]", stdout)
	arch := fs.String("arch", "resnet50-seed", "architecture: resnet50-seed (the tutorial's printed one) or resnet50")
	batches := fs.String("batch", "1,32", "comma-separated batch sizes")
	threads := fs.Int("threads", 0, "threads (GOMAXPROCS and goroutines per product); 0: all cores")
	round := fs.Duration("round", time.Second, "minimum length of a timed round")
	asJSON := fs.Bool("json", false, "print one JSON object as the last line")
	profile := fs.Bool("profile", false, "after each batch size, print the time of every fused step (where the time goes)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	sizes, err := parseBatchList("batch", *batches)
	if err := firstError(noArgs(fs), archName(*arch), err, intBetween("threads", *threads, 0, maxThreads),
		positiveDuration("round", *round)); err != nil {
		return err
	}
	if *threads > 0 {
		runtime.GOMAXPROCS(*threads)
	}
	t := runtime.GOMAXPROCS(0)
	printMachine(stdout)
	g, p, err := bench.CompiledResNet(*arch, t)
	if err != nil {
		return err
	}
	flop := bench.ForwardFlops(g)
	total, _, _ := g.CountParams()
	fp32 := 4 * total
	fmt.Fprintf(stdout, "%s: %.3f GFLOP/img, fp32 weights %.1f MiB, packed weights %.1f MiB, %d fused steps\n",
		*arch, flop/1e9, mib(fp32), mib(p.WeightBytes()), p.Steps())
	// Measure the memory of inference alone: the graph's own copy of the
	// weights is garbage once compiled, and the high-water mark starts anew.
	g = nil
	runtime.GC()
	debug.FreeOSMemory()
	resetPeakRSS()
	var results []bench.ResNetResult
	profiles := map[int][]plan.StepTime{}
	arena := 0
	for _, b := range sizes {
		r, err := bench.ResNet(*arch, flop, p, b, t, *round)
		if err != nil {
			return err
		}
		results = append(results, r)
		arena = max(arena, r.ArenaBytes)
		fmt.Fprintf(stdout, "%s  arena %.1f MiB\n", r, mib(r.ArenaBytes))
		if *profile {
			runs := max(3, int(round.Seconds()*1e3/r.MsPerBatch))
			times, err := p.Profile(bench.RandomImages(p, b), runs)
			if err != nil {
				return err
			}
			profiles[b] = times
			fmt.Fprintf(stdout, "  step  ms/batch      %%  fused step (batch %d, mean of %d runs)\n", b, runs)
			for _, st := range times {
				fmt.Fprintf(stdout, "  %4d  %8.3f  %5.1f  %s\n", st.Step, float64(st.Time)/1e6, st.Percent, st.What)
			}
		}
	}
	rss := peakRSS()
	if rss > 0 {
		fmt.Fprintf(stdout, "peak RSS during inference %.1f MiB (2 × fp32 weights + largest arena = %.1f MiB)\n",
			mib(int(rss)), mib(2*fp32+arena))
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(map[string]any{
			"bench": "resnet50", "arch": *arch, "threads": t, "results": results, "peak_rss_bytes": rss,
			"fp32_weight_bytes": fp32, "packed_weight_bytes": p.WeightBytes(), "gflop_per_img": flop / 1e9,
			"profile": jsonProfiles(profiles),
		})
	}
	return nil
}

// jsonProfiles lists --profile's step times by batch size, in milliseconds;
// nil without --profile.
func jsonProfiles(profiles map[int][]plan.StepTime) map[string][]map[string]any {
	if len(profiles) == 0 {
		return nil
	}
	out := map[string][]map[string]any{}
	for b, times := range profiles {
		for _, st := range times {
			out[strconv.Itoa(b)] = append(out[strconv.Itoa(b)], map[string]any{
				"step": st.Step, "what": st.What, "ms": float64(st.Time) / 1e6, "percent": st.Percent,
			})
		}
	}
	return out
}

func mib(bytes int) float64 { return float64(bytes) / (1 << 20) }

// resetPeakRSS restarts the kernel's high-water mark of resident memory
// (Linux: writing 5 to /proc/self/clear_refs), so peakRSS then reports the
// peak of what follows. Elsewhere it does nothing.
func resetPeakRSS() {
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// peakRSS is the process's high-water resident memory in bytes, from
// /proc/self/status on Linux; 0 where that is not available.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(rest)
			if len(f) >= 1 {
				kb, _ := strconv.ParseInt(f[0], 10, 64)
				return kb << 10
			}
		}
	}
	return 0
}
