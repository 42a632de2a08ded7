package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/simdnet/simdnet/bench"
	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/plan"
)

func init() {
	benchTargets["resnet50"] = benchInference
}

// benchInference times fused inference of any network: a registered
// architecture built with seeded random weights (--arch, --input,
// --classes; the seed ResNet50 on SIGNS images by default, which plain
// "simdnet bench" and "simdnet bench resnet50" measure), or the network of
// a model file (--model).
func benchInference(args []string, stdout io.Writer) error {
	fs := newFlags("bench resnet50", "bench [resnet50] [--arch A --input HxWxC --classes N | --model M] [flags]", stdout)
	af := addArchFlags(fs)
	model := fs.String("model", "", "time this model file's network instead of --arch: simdnet .safetensors, ONNX (.onnx; --input HxWxC sets its image size), or bare safetensors weights with --arch, --input, --classes")
	batches := fs.String("batch", "1,32", "comma-separated batch sizes")
	threads := fs.Int("threads", 0, "threads (GOMAXPROCS and goroutines per product); 0: all cores")
	round := fs.Duration("round", time.Second, "minimum length of a timed round")
	asJSON := fs.Bool("json", false, "print one JSON object as the last line")
	profile := fs.Bool("profile", false, "after each batch size, print the time of every fused step (where the time goes)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	sizes, err := parseBatchList("batch", *batches)
	if err := firstError(noArgs(fs), err, intBetween("threads", *threads, 0, maxThreads),
		positiveDuration("round", *round)); err != nil {
		return err
	}
	g, name, qo, err := benchGraph(fs, af, *model)
	if err != nil {
		return err
	}
	if *threads > 0 {
		runtime.GOMAXPROCS(*threads)
	}
	t := runtime.GOMAXPROCS(0)
	p, err := plan.Compile(g, plan.Options{Threads: t, Quant: qo}) // bench.Compile's, int8 for an int8 model
	if err != nil {
		return fmt.Errorf("compiling %s: %w", name, err)
	}
	defer p.Close()
	if err := batchesFit(p, sizes); err != nil {
		return err
	}
	printMachine(stdout)
	flop := bench.ForwardFlops(g)
	total, _, _ := g.CountParams()
	fp32 := 4 * total
	fmt.Fprintf(stdout, "%s: %.3f GFLOP/img, fp32 weights %.1f MiB, packed weights %.1f MiB, %d fused steps\n",
		name, flop/1e9, mib(fp32), mib(p.WeightBytes()), p.Steps())
	// Measure the memory of inference alone: the graph's own copy of the
	// weights is garbage once compiled, and the high-water mark starts anew.
	g = nil
	runtime.GC()
	debug.FreeOSMemory()
	resetPeakRSS()
	var results []bench.Result
	profiles := map[int][]plan.StepTime{}
	arena := 0
	for _, b := range sizes {
		r, err := bench.Inference(name, flop, p, b, t, *round)
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
		out := map[string]any{
			"bench": "inference", "arch": name, "threads": t, "results": results, "peak_rss_bytes": rss,
			"fp32_weight_bytes": fp32, "packed_weight_bytes": p.WeightBytes(), "gflop_per_img": flop / 1e9,
			"profile": jsonProfiles(profiles),
		}
		if *model != "" {
			out["model"] = *model
		} else if strings.HasPrefix(name, "resnet50") {
			out["bench"] = "resnet50" // as before other networks were timed
		}
		return json.NewEncoder(stdout).Encode(out)
	}
	return nil
}

// benchGraph is the network bench times and its name. With --model it is
// the file's, read as every command reads a model (modelFlags.load:
// simdnet model files, or bare weights described by --arch, --input and
// --classes, which must otherwise agree with the file); a new model format
// joins there, in one function, for all commands at once. Without it, the
// --arch network is built with the benchmarks' seeded random weights.
func benchGraph(fs *flag.FlagSet, af archFlags, model string) (*ops.Graph, string, *plan.QuantOptions, error) {
	if model == "" {
		cfg, err := af.config()
		if err != nil {
			return nil, "", nil, err
		}
		cfg.Seed = bench.Seed
		g, err := buildNetwork(cfg)
		var ue *usageError
		if err != nil && !errors.As(err, &ue) {
			// The architecture's own refusal (MobileNetV2 below 32×32):
			// the flags asked for a network that cannot be built.
			return nil, "", nil, usagef("--arch %s --input %s --classes %d: %v", *af.arch, *af.input, *af.classes, err)
		}
		return g, cfg.Arch, nil, err
	}
	m, err := openWithArchFlags(fs, af, model)
	if err != nil {
		return nil, "", nil, err
	}
	name := m.Config.Arch
	if name == "" {
		name = filepath.Base(model)
	}
	qo, _, err := plan.DecodeQuantMeta(m.Meta) // an int8 model file is timed int8
	if err != nil {
		return nil, "", nil, fmt.Errorf("--model %s: %w", model, err)
	}
	if qo != nil {
		name += " int8"
	}
	return m.Graph, name, qo, m.Close()
}

// openWithArchFlags reads --model for a command whose --arch, --input and
// --classes otherwise choose a fresh network: given with --model, they
// describe bare weights (or, --input, an ONNX file's image size), as
// modelFlags' do.
func openWithArchFlags(fs *flag.FlagSet, af archFlags, model string) (*loadedModel, error) {
	given := func(name, value string) *string {
		if !flagSet(fs, name) {
			value = ""
		}
		return &value
	}
	mf := modelFlags{path: &model, arch: given("arch", *af.arch), input: given("input", *af.input),
		classes: given("classes", strconv.Itoa(*af.classes))}
	return mf.open(nil)
}

// maxBenchBytes bounds what one timed batch allocates: the plan's arena
// and the input and output batches. The arena grows with the batch and the
// input's area, so --batch and --input within their own limits could
// still ask for more memory than the machine has.
const maxBenchBytes = 8 << 30

// batchesFit refuses batch sizes whose run would take more than
// maxBenchBytes, before anything is timed.
func batchesFit(p *plan.Plan, sizes []int) error {
	perSample := 4 * (p.InputShape().Len() + p.OutputShape().Len())
	for _, b := range sizes {
		if need := p.ArenaBytes(b) + b*perSample; need > maxBenchBytes {
			return usagef("--batch %d needs %.1f GiB for this network's activations, inputs and outputs (arena %.1f GiB), more than the %d GiB this command allocates",
				b, float64(need)/(1<<30), float64(p.ArenaBytes(b))/(1<<30), maxBenchBytes>>30)
		}
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
