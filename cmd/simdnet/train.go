package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"github.com/simdnet/simdnet/models"
	"github.com/simdnet/simdnet/resnet"
	"github.com/simdnet/simdnet/train"
	"github.com/simdnet/simdnet/train/data"
	"github.com/simdnet/simdnet/weights"
	"github.com/simdnet/simdnet/weights/safetensors"
)

func init() {
	register("train", "train a network on SIGNS (or any image folder) as the tutorial's model.fit does", runTrain)
}

// trainSummary is what --json prints.
type trainSummary struct {
	Arch          string    `json:"arch"`
	Epochs        int       `json:"epochs"`
	EpochSeconds  []float64 `json:"epoch_seconds"`
	Loss          []float64 `json:"loss"`
	Accuracy      []float64 `json:"accuracy"`
	TestLoss      float64   `json:"test_loss"`
	TestAccuracy  float64   `json:"test_accuracy"`
	TestCorrect   int       `json:"test_correct"`
	TestCount     int       `json:"test_count"`
	Model         string    `json:"model"` // "" when interrupted: nothing was written
	Threads       int       `json:"threads"`
	Interrupted   bool      `json:"interrupted"`
	Checkpoint    string    `json:"checkpoint,omitempty"` // where an interrupted run is saved
	ValLoss       []float64 `json:"val_loss,omitempty"`
	ValAccuracy   []float64 `json:"val_accuracy,omitempty"`
	LearningRates []float64 `json:"learning_rate"`
}

// trainFlags are train's flags, kept together so that the settings a
// resume must share can be listed from them.
type trainFlags struct {
	dataPath, testPath, schedule, arch, out, ckpt, plot *string
	epochs, batch, threads                              *int
	lr                                                  *float64
	augment, preciseBN, f16, resume, resumeAnyway, json *bool
	seed                                                *uint64

	args []string // the command line after "train", for the resume hint
}

func addTrainFlags(fs *flag.FlagSet) trainFlags {
	return trainFlags{
		dataPath:     fs.String("data", "../shared/data/signs", "training data: an .h5 file in the tutorial's layout, a folder with train_signs.h5, or an image folder"),
		testPath:     fs.String("test", "", "test data (default: test_signs.h5 beside the training data, or a test/ folder beside train/)"),
		epochs:       fs.Int("epochs", 20, "epochs"),
		batch:        fs.Int("batch", 32, "batch size"),
		lr:           fs.Float64("lr", 0.001, "Adam's learning rate (when not given: the architecture's recipe, 0.003 for mobilenetv2*, 0.001 otherwise)"),
		schedule:     fs.String("schedule", "cosine", "learning-rate schedule: cosine (decays to 1% over the run) or constant (the tutorial's)"),
		augment:      fs.Bool("augment", true, "light augmentation: shifts, small rotations, brightness (false: the tutorial's plain recipe)"),
		preciseBN:    fs.Bool("precise-bn", true, "recompute BatchNorm statistics over the training images after training, and over 512 of them for each epoch's validation (false: Keras's moving averages throughout)"),
		arch:         fs.String("arch", "resnet50-seed", "architecture: "+strings.Join(models.Names(), ", ")),
		out:          fs.String("out", "model.safetensors", "where to write the trained model; replaced only by a complete model, never by an interrupted or failed run"),
		f16:          fs.Bool("f16", false, "store the model's weights as float16, half the file"),
		ckpt:         fs.String("checkpoint", "", "checkpoint written after every epoch and when interrupted, removed once OUT is written (default: OUT.ckpt); eval and predict read it as a model"),
		resume:       fs.Bool("resume", false, "continue the run saved in the checkpoint; refused when its settings differ from these flags"),
		resumeAnyway: fs.Bool("resume-anyway", false, "with --resume: continue even though the settings differ, with these flags' settings (the result then matches no uninterrupted run bit for bit)"),
		plot:         fs.String("plot", "", "write loss and accuracy curves to this PNG"),
		threads:      fs.Int("threads", 0, "threads; 0: all cores"),
		seed:         fs.Uint64("seed", 0, "seed of the initial weights, the batch order and the augmentation"),
		json:         fs.Bool("json", false, "print one JSON object as the last line"),
	}
}

// check validates the flags before anything is loaded, filling in the
// default checkpoint and the architecture's learning rate.
func (f trainFlags) check(fs *flag.FlagSet) error {
	if *f.ckpt == "" {
		*f.ckpt = *f.out + ".ckpt"
	}
	if !flagSet(fs, "lr") {
		*f.lr = recipeLearningRate(*f.arch)
	}
	errs := []error{
		noArgs(fs),
		intBetween("epochs", *f.epochs, 1, 1_000_000),
		intBetween("batch", *f.batch, 1, maxBatch),
		positiveFinite("lr", *f.lr),
		oneOf("schedule", *f.schedule, "cosine", "constant"),
		archName(*f.arch),
		intBetween("threads", *f.threads, 0, maxThreads),
		existingPath("data", *f.dataPath),
		outputFile("out", *f.out),
		outputFile("checkpoint", *f.ckpt),
	}
	if *f.testPath != "" {
		errs = append(errs, existingPath("test", *f.testPath))
	}
	if *f.plot != "" {
		errs = append(errs, outputFile("plot", *f.plot))
	}
	if err := firstError(errs...); err != nil {
		return err
	}
	// A file written in two roles, or written over an input, would lose
	// one of them. (--data and --test may be one set.)
	files := []struct{ flag, path string }{{"out", *f.out}, {"checkpoint", *f.ckpt}, {"plot", *f.plot}, {"data", *f.dataPath}, {"test", *f.testPath}}
	const outputs = 3
	for i, a := range files[:outputs] {
		for _, b := range files[i+1:] {
			if a.path != "" && b.path != "" && (filepath.Clean(a.path) == filepath.Clean(b.path) || sameFile(a.path, b.path)) {
				return usagef("--%s and --%s are the same file %s", a.flag, b.flag, a.path)
			}
		}
	}
	switch {
	case *f.resumeAnyway && !*f.resume:
		return usagef("--resume-anyway goes with --resume")
	case !*f.resume && fileExists(*f.ckpt):
		return usagef("--checkpoint %s exists, left by a run that did not finish: add --resume to continue it, or delete it to start afresh", *f.ckpt)
	}
	return nil
}

func runTrain(args []string, stdout io.Writer) error {
	fs := newFlags("train", "train --data DIR|FILE.h5 [flags]", stdout)
	f := addTrainFlags(fs)
	f.args = args
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := f.check(fs); err != nil {
		return err
	}
	if *f.threads > 0 {
		runtime.GOMAXPROCS(*f.threads)
	}
	shape := resnet.SignsInput
	trainSet, err := loadData(*f.dataPath, "train", shape[0], shape[1], nil)
	if err != nil {
		return err
	}
	if *f.testPath == "" {
		*f.testPath = defaultTestData(*f.dataPath)
	}
	var testSet *data.Dataset
	if *f.testPath != "" {
		if testSet, err = loadData(*f.testPath, "test", shape[0], shape[1], trainSet.Classes); err != nil {
			return err
		}
		if err := sameClasses("the training data", trainSet.Classes, testSet.Classes); err != nil {
			return err
		}
	}
	cfg := resnet.Config{Arch: *f.arch, InputShape: shape, Classes: len(trainSet.Classes), Seed: *f.seed}
	g, err := buildNetwork(cfg)
	if err != nil {
		return err
	}
	opt := train.NewAdam()
	opt.SetLearningRate(*f.lr)
	tr, err := train.NewTrainer(g, opt)
	if err != nil {
		return err
	}
	steps := (trainSet.Len() + *f.batch - 1) / *f.batch
	if *f.schedule == "cosine" {
		tr.SetSchedule(train.CosineDecay(*f.lr, *f.epochs*steps, 0.01))
	}
	fmt.Fprintf(stdout, "training %s on %d images (%d classes), testing on %d; %d epochs of %d steps, batch %d, Adam lr %g (%s), augment %v, precise BN %v, %d threads\n",
		*f.arch, trainSet.Len(), len(trainSet.Classes), lenOf(testSet), *f.epochs, steps, *f.batch, *f.lr, *f.schedule, *f.augment, *f.preciseBN, runtime.GOMAXPROCS(0))
	if *f.resume && !fileExists(*f.ckpt) {
		fmt.Fprintf(stdout, "no checkpoint %s yet: starting a fresh run\n", *f.ckpt)
	}

	ctx, stop := train.NotifyInterrupt(context.Background())
	defer stop()
	h, err := train.Fit(tr, trainSet, testSet, train.FitConfig{
		Epochs: *f.epochs, BatchSize: *f.batch, Seed: *f.seed, Augment: *f.augment,
		Progress: stdout, Checkpoint: *f.ckpt, Resume: *f.resume, ResumeAnyway: *f.resumeAnyway, Context: ctx,
		Settings: f.settings(trainSet, cfg), ModelConfig: &cfg,
		ValidationBN: f.validationBN(trainSet),
	})
	stop()
	var differ *train.SettingsError
	switch {
	case errors.As(err, &differ):
		return usagef("%v; run with the flags of the checkpoint's run, or add --resume-anyway to continue with these", err)
	case errors.Is(err, train.ErrInterrupted):
		return f.interrupted(stdout, err, h)
	case err != nil && h == nil: // refused before training: nothing to resume
		return err
	case err != nil:
		return fmt.Errorf("%w%s", err, f.resumeHint())
	}
	if *f.preciseBN {
		if err := train.RecalibrateBatchNorm(tr, trainSet, *f.batch); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "recalibrated BatchNorm statistics over the training images")
	}
	saveOpts := []weights.SaveOption{weights.WithClasses(trainSet.Classes...)}
	if *f.f16 {
		saveOpts = append(saveOpts, weights.WithDtype(safetensors.F16))
	}
	if err := saveModel(*f.out, g, append(saveOpts, weights.WithArch(cfg))...); err != nil {
		return fmt.Errorf("%w; %s is as it was%s", err, *f.out, f.resumeHint())
	}
	fmt.Fprintf(stdout, "saved %s\n", *f.out)
	// The model is complete and on disk: the checkpoint has done its job,
	// and leaving it would make the next run with this --out refuse to
	// start (it cannot tell a finished run's checkpoint from an unfinished
	// one's).
	if err := os.Remove(*f.ckpt); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("removing the checkpoint of the finished run: %w", err)
	}
	if *f.plot != "" && h.Len() > 0 {
		if err := train.PlotHistory(h, *f.plot); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "plotted %s\n", *f.plot)
	}
	sum := f.summary(h)
	if testSet != nil {
		ev, err := train.Evaluate(tr, testSet, *f.batch)
		if err != nil {
			return err
		}
		sum.TestLoss, sum.TestAccuracy, sum.TestCorrect, sum.TestCount = ev.Loss, ev.Accuracy(), ev.Correct, ev.Count
		fmt.Fprintf(stdout, "test: loss %.4f, accuracy %.4f (%d/%d)\n", ev.Loss, ev.Accuracy(), ev.Correct, ev.Count)
	}
	if *f.json {
		return json.NewEncoder(stdout).Encode(sum)
	}
	return nil
}

// saveModel writes the trained model; a variable so that tests can make
// the write fail as a full disk does.
var saveModel = weights.Save

// settings are what a resume must share with the checkpoint beyond what
// Fit checks itself (seed, batch size, sample count, augmentation): what
// the schedule depends on, the network and the data.
func (f trainFlags) settings(d *data.Dataset, cfg resnet.Config) map[string]string {
	return map[string]string{
		"--epochs":   strconv.Itoa(*f.epochs),
		"--lr":       strconv.FormatFloat(*f.lr, 'g', -1, 64),
		"--schedule": *f.schedule,
		"--arch":     cfg.Arch,
		"input":      fmt.Sprintf("%dx%dx%d", cfg.InputShape[0], cfg.InputShape[1], cfg.InputShape[2]),
		"classes":    strings.Join(d.Classes, ","),
		"--data":     datasetIdentity(d),
	}
}

// interrupted ends a run stopped by a signal: the checkpoint holds it, OUT
// is left alone (a half-trained model whose BatchNorm statistics were
// never recalibrated is not a model to replace a good one with), and the
// exit status is 128 + the signal's number.
func (f trainFlags) interrupted(stdout io.Writer, err error, h *train.History) error {
	code := 130
	var sig *train.InterruptSignal
	if errors.As(err, &sig) {
		if s, ok := sig.Signal.(syscall.Signal); ok {
			code = 128 + int(s)
		}
	}
	fmt.Fprintln(stdout)
	if *f.json {
		sum := f.summary(h)
		sum.Interrupted, sum.Model, sum.Checkpoint = true, "", *f.ckpt
		if jerr := json.NewEncoder(stdout).Encode(sum); jerr != nil {
			return jerr
		}
	}
	// Fit's error says where the run is saved.
	return &exitError{code: code, err: fmt.Errorf("%v; %s was not written; continue with %s", err, *f.out, resumeCommand(f.args))}
}

// resumeHint tells how to continue from the checkpoint, when there is one:
// the command line of this run with --resume.
func (f trainFlags) resumeHint() string {
	if !fileExists(*f.ckpt) {
		return ""
	}
	return fmt.Sprintf("; the run is saved in %s: continue it with %s", *f.ckpt, resumeCommand(f.args))
}

// resumeCommand is the command line that resumes the run of train's args:
// the same flags with --resume, quoted for a POSIX shell.
func resumeCommand(args []string) string {
	words := []string{"simdnet", "train"}
	resume := false
	for _, a := range args {
		words = append(words, shellQuote(a))
		switch strings.TrimLeft(a, "-") {
		case "resume", "resume=true":
			resume = true
		}
	}
	if !resume {
		words = append(words, "--resume")
	}
	return strings.Join(words, " ")
}

// shellQuote quotes s for a POSIX shell where it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=,:+@%", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func (f trainFlags) summary(h *train.History) trainSummary {
	return trainSummary{Arch: *f.arch, Epochs: h.Len(), EpochSeconds: h.Seconds, Loss: h.Loss, Accuracy: h.Accuracy,
		ValLoss: h.ValLoss, ValAccuracy: h.ValAccuracy, LearningRates: h.LearningRate,
		Model: *f.out, Threads: runtime.GOMAXPROCS(0)}
}

func lenOf(d *data.Dataset) int {
	if d == nil {
		return 0
	}
	return d.Len()
}

// recipeLearningRate is the Adam learning rate of the default recipe for an
// architecture: the best measured on SIGNS (20 epochs, cosine decay,
// augmentation, precise BN). MobileNetV2 reached 92.5% of the test images
// at 0.001 and 98.3% at 0.003 (README.md's accuracy table); the ResNets
// are at their best at Keras's default, 0.001.
func recipeLearningRate(arch string) float64 {
	if strings.HasPrefix(arch, "mobilenetv2") {
		return 0.003
	}
	return 0.001
}

// validationBN is the sample of training images whose BatchNorm statistics
// each epoch's validation uses with --precise-bn: every k-th image, 512 at
// most, which costs about a sixth of an epoch of SIGNS and settles the
// statistics within a fraction of a percent.
func (f *trainFlags) validationBN(trainSet *data.Dataset) *data.Dataset {
	if !*f.preciseBN {
		return nil
	}
	const most = 512
	n := trainSet.Len()
	if n <= most {
		return trainSet
	}
	idx := make([]int, most)
	for i := range idx {
		idx[i] = i * n / most
	}
	return trainSet.Subset(idx)
}
