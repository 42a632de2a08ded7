// Package onnxpeer is the harness of the commands in bench/onnxpeers, which
// time the pure-Go ONNX engines simdnet is compared with (gonnx, onnx-go)
// on the same .onnx files as simdnet bench --model and ONNX Runtime, and
// say which of them fails to load or run which file, with the error each
// gives. Each engine is its own module, since their dependencies conflict
// with each other's (gorgonia.org/tensor versions) and stay out of
// simdnet's go.mod.
package onnxpeer

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"time"
)

// Result is one engine on one file: the best time of its runs, or the
// error that stopped it.
type Result struct {
	File    string  `json:"file"`
	Engine  string  `json:"engine"`
	Batch   int     `json:"batch"`
	Threads int     `json:"threads"`
	MS      float64 `json:"ms,omitempty"`
	ImgS    float64 `json:"img_s,omitempty"`
	Error   string  `json:"error,omitempty"`
}

// Loader reads file into an engine and returns a function that runs it on
// the N×3×H×W batch x of the given shape.
type Loader func(file string, x []float32, shape []int) (run func() error, err error)

// Main parses the command line (flags, then .onnx files), times engine on
// every file and prints one JSON Result a line.
func Main(engine string, load Loader) {
	batch := flag.Int("batch", 1, "batch size")
	threads := flag.Int("threads", 1, "GOMAXPROCS for the engine")
	rounds := flag.Int("rounds", 3, "timed runs after the warm-up (fewer when they pass --budget)")
	budget := flag.Duration("budget", 60*time.Second, "stop timing a file once its runs have taken this long")
	size := flag.Int("size", 224, "input height and width (inputs are N×3×size×size)")
	flag.Parse()
	runtime.GOMAXPROCS(*threads)
	enc := json.NewEncoder(os.Stdout)
	for _, file := range flag.Args() {
		shape := []int{*batch, 3, *size, *size}
		x := make([]float32, shape[0]*shape[1]*shape[2]*shape[3])
		rng := rand.New(rand.NewPCG(1, 2))
		for i := range x {
			x[i] = float32(rng.NormFloat64())
		}
		r := Result{File: file, Engine: engine, Batch: *batch, Threads: *threads}
		if ms, err := timeRuns(load, file, x, shape, *rounds, *budget); err != nil {
			r.Error = err.Error()
		} else {
			r.MS, r.ImgS = ms, float64(*batch)*1000/ms
		}
		if err := enc.Encode(r); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}

// timeRuns loads file, runs it once to warm up, then up to rounds more
// times within budget, and returns the best time in ms. A panic inside an
// engine is its failure, reported as an error.
func timeRuns(load Loader, file string, x []float32, shape []int, rounds int, budget time.Duration) (ms float64, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	run, err := load(file, x, shape)
	if err != nil {
		return 0, fmt.Errorf("load: %w", err)
	}
	start := time.Now()
	if err := run(); err != nil {
		return 0, fmt.Errorf("run: %w", err)
	}
	best := time.Since(start)
	spent := best
	for k := 0; k < rounds && spent < budget; k++ {
		t := time.Now()
		if err := run(); err != nil {
			return 0, fmt.Errorf("run: %w", err)
		}
		el := time.Since(t)
		best, spent = min(best, el), spent+el
	}
	return float64(best.Microseconds()) / 1000, nil
}
