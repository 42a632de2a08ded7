package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"strings"
	"time"

	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/resnet"
	"github.com/simdnet/simdnet/train"
)

func init() {
	benchTargets["train"] = benchTrain
}

// benchTrain times Adam steps of batch 32 on random images, as the PyTorch
// anchor does, and reports the time of a 1080-image SIGNS epoch.
func benchTrain(args []string, stdout io.Writer) error {
	fs := newFlags("bench train", "bench train [flags]", stdout)
	arch := fs.String("arch", "resnet50-seed", "architecture")
	batch := fs.Int("batch", 32, "batch size")
	steps := fs.Int("steps", 8, "timed steps (after two warm-up steps)")
	threads := fs.Int("threads", 0, "threads; 0: all cores")
	asJSON := fs.Bool("json", false, "print one JSON object as the last line")
	profile := fs.Bool("profile", false, "then time --steps more steps part by part: every layer's forward, weight gradient and rest of backward, the loss and the update (where the time goes)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := firstError(noArgs(fs), archName(*arch), intBetween("batch", *batch, 1, maxBatch),
		intBetween("steps", *steps, 1, 1_000_000), intBetween("threads", *threads, 0, maxThreads)); err != nil {
		return err
	}
	if *threads > 0 {
		runtime.GOMAXPROCS(*threads)
	}
	printMachine(stdout)
	g, err := resnet.Config{Arch: *arch, InputShape: resnet.SignsInput, Classes: resnet.SignsClasses}.Build()
	if err != nil {
		return err
	}
	t, err := train.NewTrainer(g, train.NewAdam())
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(1, 2))
	x := ops.NewTensor(*batch, resnet.SignsInput[0], resnet.SignsInput[1], resnet.SignsInput[2])
	for i := range x.Data {
		x.Data[i] = rng.Float32()
	}
	labels := make([]int, *batch)
	for i := range labels {
		labels[i] = rng.IntN(resnet.SignsClasses)
	}
	best := time.Duration(1<<63 - 1)
	for s := 0; s < *steps+2; s++ {
		start := time.Now()
		if _, err := t.Step(x, labels); err != nil {
			return err
		}
		if s >= 2 { // the first steps size the buffers
			best = min(best, time.Since(start))
		}
	}
	const signsTrain = 1080
	epoch := best.Seconds() * signsTrain / float64(*batch)
	fmt.Fprintf(stdout, "%s: train step batch %d: %.1f ms (best of %d), %.1f img/s, epoch (%d images) %.1f s, %d threads\n",
		*arch, *batch, best.Seconds()*1e3, *steps, float64(*batch)/best.Seconds(), signsTrain, epoch, runtime.GOMAXPROCS(0))
	if rss := peakRSS(); rss > 0 {
		fmt.Fprintf(stdout, "peak RSS %.1f MiB\n", float64(rss)/(1<<20))
	}
	var sp *train.StepProfile
	if *profile {
		if sp, err = t.Profile(x, labels, *steps); err != nil {
			return err
		}
		printTrainProfile(stdout, sp, *batch)
	}
	if *asJSON {
		out := map[string]any{
			"bench": "train", "arch": *arch, "batch": *batch, "threads": runtime.GOMAXPROCS(0),
			"step_ms": best.Seconds() * 1e3, "img_per_s": float64(*batch) / best.Seconds(),
			"epoch_seconds": epoch, "peak_rss_bytes": peakRSS(),
		}
		if sp != nil {
			out["profile"] = jsonTrainProfile(sp)
		}
		return json.NewEncoder(stdout).Encode(out)
	}
	return nil
}

// printTrainProfile prints a training step's time layer by layer, in
// forward order, then summed by part: convolutions' forward, weight and
// input gradients, BatchNormalization's forward and backward, the other
// layers, the loss and the update.
func printTrainProfile(w io.Writer, sp *train.StepProfile, batch int) {
	total := sp.Total()
	ms := func(d time.Duration) float64 { return float64(d) / 1e6 }
	pct := func(d time.Duration) float64 { return 100 * float64(d) / float64(max(total, 1)) }
	fmt.Fprintf(w, "  %-28s %-30s %8s %8s %8s %8s %6s  (ms/step, batch %d, mean of %d steps; dW: weight gradient, bwd: the rest of the backward, dX for Conv2D and Dense)\n",
		"layer", "kind", "fwd", "dW", "bwd", "total", "%", batch, sp.Steps)
	parts := map[string]time.Duration{}
	var order []string
	add := func(part string, d time.Duration) {
		if _, ok := parts[part]; !ok {
			order = append(order, part)
		}
		parts[part] += d
	}
	for _, l := range sp.Layers {
		fmt.Fprintf(w, "  %-28s %-30s %8.3f %8.3f %8.3f %8.3f %6.1f\n", l.Node, l.Kind, ms(l.Forward), ms(l.Weights), ms(l.Backward), ms(l.Total()), pct(l.Total()))
		class, _, _ := strings.Cut(l.Kind, " ")
		switch class {
		case "Conv2D":
			add("Conv2D forward", l.Forward)
			add("Conv2D dW (weight gradient)", l.Weights)
			add("Conv2D dX (input gradient)", l.Backward)
		case "BatchNormalization":
			add("BatchNormalization forward", l.Forward)
			add("BatchNormalization backward", l.Backward)
		default:
			add("other layers forward", l.Forward)
			add("other layers backward", l.Weights+l.Backward)
		}
	}
	add("loss", sp.Loss)
	add("optimizer update", sp.Update)
	fmt.Fprintf(w, "  by part:\n")
	for _, part := range order {
		fmt.Fprintf(w, "  %-36s %8.2f ms %6.1f%%\n", part, ms(parts[part]), pct(parts[part]))
	}
	fmt.Fprintf(w, "  %-36s %8.2f ms\n", "total", ms(total))
}

// jsonTrainProfile is --profile's table for --json, in milliseconds.
func jsonTrainProfile(sp *train.StepProfile) map[string]any {
	ms := func(d time.Duration) float64 { return float64(d) / 1e6 }
	var layers []map[string]any
	for _, l := range sp.Layers {
		layers = append(layers, map[string]any{"layer": l.Node, "kind": l.Kind,
			"forward_ms": ms(l.Forward), "weights_ms": ms(l.Weights), "backward_ms": ms(l.Backward)})
	}
	return map[string]any{"steps": sp.Steps, "layers": layers, "loss_ms": ms(sp.Loss),
		"update_ms": ms(sp.Update), "total_ms": ms(sp.Total())}
}
