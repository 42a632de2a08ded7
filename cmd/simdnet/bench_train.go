package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
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
	if *asJSON {
		return json.NewEncoder(stdout).Encode(map[string]any{
			"bench": "train", "arch": *arch, "batch": *batch, "threads": runtime.GOMAXPROCS(0),
			"step_ms": best.Seconds() * 1e3, "img_per_s": float64(*batch) / best.Seconds(),
			"epoch_seconds": epoch, "peak_rss_bytes": peakRSS(),
		})
	}
	return nil
}
