package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"

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
	Model         string    `json:"model"`
	Threads       int       `json:"threads"`
	Interrupted   bool      `json:"interrupted,omitempty"`
	ValLoss       []float64 `json:"val_loss,omitempty"`
	ValAccuracy   []float64 `json:"val_accuracy,omitempty"`
	LearningRates []float64 `json:"learning_rate"`
}

func runTrain(args []string, stdout io.Writer) error {
	fs := newFlags("train", "train --data DIR|FILE.h5 [flags]", stdout)
	dataPath := fs.String("data", "../shared/data/signs", "training data: an .h5 file in the tutorial's layout, a folder with train_signs.h5, or an image folder")
	testPath := fs.String("test", "", "test data (default: test_signs.h5 beside the training data, or a test/ folder beside train/)")
	epochs := fs.Int("epochs", 20, "epochs")
	batch := fs.Int("batch", 32, "batch size")
	lr := fs.Float64("lr", 0.001, "Adam's learning rate")
	schedule := fs.String("schedule", "cosine", "learning-rate schedule: cosine (decays to 1% over the run) or constant (the tutorial's)")
	augment := fs.Bool("augment", true, "light augmentation: shifts, small rotations, brightness (false: the tutorial's plain recipe)")
	preciseBN := fs.Bool("precise-bn", true, "after training, recompute BatchNorm statistics over the training images (false: keep Keras's moving averages)")
	arch := fs.String("arch", "resnet50-seed", "architecture: "+strings.Join(models.Names(), ", "))
	out := fs.String("out", "model.safetensors", "where to write the trained model")
	f16 := fs.Bool("f16", false, "store the model's weights as float16, half the file")
	ckpt := fs.String("checkpoint", "", "checkpoint file written after every epoch (default: OUT.ckpt)")
	resume := fs.Bool("resume", false, "continue the run saved in the checkpoint")
	plot := fs.String("plot", "", "write loss and accuracy curves to this PNG")
	threads := fs.Int("threads", 0, "threads; 0: all cores")
	seed := fs.Uint64("seed", 0, "seed of the initial weights, the batch order and the augmentation")
	asJSON := fs.Bool("json", false, "print one JSON object as the last line")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *epochs < 1 || *batch < 1 || *lr <= 0 {
		return fmt.Errorf("--epochs, --batch and --lr must be positive (got %d, %d, %g)", *epochs, *batch, *lr)
	}
	if *threads > 0 {
		runtime.GOMAXPROCS(*threads)
	}
	if *ckpt == "" {
		*ckpt = *out + ".ckpt"
	}
	shape := resnet.SignsInput
	trainSet, err := loadData(*dataPath, "train", shape[0], shape[1], nil)
	if err != nil {
		return err
	}
	if *testPath == "" {
		*testPath = defaultTestData(*dataPath)
	}
	var testSet *data.Dataset
	if *testPath != "" {
		if testSet, err = loadData(*testPath, "test", shape[0], shape[1], trainSet.Classes); err != nil {
			return err
		}
		if err := sameClasses("the training data", trainSet.Classes, testSet.Classes); err != nil {
			return err
		}
	}
	cfg := resnet.Config{Arch: *arch, InputShape: shape, Classes: len(trainSet.Classes), Seed: *seed}
	g, err := cfg.Build()
	if err != nil {
		return err
	}
	opt := train.NewAdam()
	opt.SetLearningRate(*lr)
	tr, err := train.NewTrainer(g, opt)
	if err != nil {
		return err
	}
	steps := (trainSet.Len() + *batch - 1) / *batch
	switch *schedule {
	case "cosine":
		tr.SetSchedule(train.CosineDecay(*lr, *epochs*steps, 0.01))
	case "constant":
	default:
		return fmt.Errorf("--schedule %q: want cosine or constant", *schedule)
	}
	fmt.Fprintf(stdout, "training %s on %d images (%d classes), testing on %d; %d epochs of %d steps, batch %d, Adam lr %g (%s), augment %v, precise BN %v, %d threads\n",
		*arch, trainSet.Len(), len(trainSet.Classes), lenOf(testSet), *epochs, steps, *batch, *lr, *schedule, *augment, *preciseBN, runtime.GOMAXPROCS(0))

	ctx, stop := train.NotifyInterrupt(context.Background())
	defer stop()
	h, err := train.Fit(tr, trainSet, testSet, train.FitConfig{
		Epochs: *epochs, BatchSize: *batch, Seed: *seed, Augment: *augment,
		Progress: stdout, Checkpoint: *ckpt, Resume: *resume, Context: ctx,
	})
	interrupted := errors.Is(err, train.ErrInterrupted)
	if err != nil && !interrupted {
		return err
	}
	if interrupted {
		fmt.Fprintf(stdout, "\n%v\nrun 'simdnet train --resume' with the same flags to continue\n", err)
	}
	if *preciseBN && !interrupted {
		if err := train.RecalibrateBatchNorm(tr, trainSet, *batch); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "recalibrated BatchNorm statistics over the training images")
	}
	saveOpts := []weights.SaveOption{weights.WithClasses(trainSet.Classes...)}
	if *f16 {
		saveOpts = append(saveOpts, weights.WithDtype(safetensors.F16))
	}
	if err := weights.Save(*out, g, append(saveOpts, weights.WithArch(cfg))...); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "saved %s\n", *out)
	if *plot != "" && h != nil && h.Len() > 0 {
		if err := train.PlotHistory(h, *plot); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "plotted %s\n", *plot)
	}
	sum := trainSummary{Arch: *arch, Epochs: h.Len(), EpochSeconds: h.Seconds, Loss: h.Loss, Accuracy: h.Accuracy,
		ValLoss: h.ValLoss, ValAccuracy: h.ValAccuracy, LearningRates: h.LearningRate,
		Model: *out, Threads: runtime.GOMAXPROCS(0), Interrupted: interrupted}
	if testSet != nil {
		ev, err := train.Evaluate(tr, testSet, *batch)
		if err != nil {
			return err
		}
		sum.TestLoss, sum.TestAccuracy, sum.TestCorrect, sum.TestCount = ev.Loss, ev.Accuracy(), ev.Correct, ev.Count
		fmt.Fprintf(stdout, "test: loss %.4f, accuracy %.4f (%d/%d)\n", ev.Loss, ev.Accuracy(), ev.Correct, ev.Count)
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(sum)
	}
	if interrupted {
		os.Exit(130) // the conventional status of a program ended by Ctrl-C
	}
	return nil
}

func lenOf(d *data.Dataset) int {
	if d == nil {
		return 0
	}
	return d.Len()
}
