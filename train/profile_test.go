package train

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/simdnet/simdnet/resnet"
)

// TestProfileSteps checks Profile on a small residual network: every
// convolution and BatchNormalization is listed with time in the parts it
// has (a weight gradient for the convolutions and the Dense, none for the
// others), the parts add up to the total, and the profiled steps train
// exactly as Step does: the weights after them are bit-identical to those
// of a trainer that ran the same steps unprofiled.
func TestProfileSteps(t *testing.T) {
	a, b := newTinyTrainer(t), newTinyTrainer(t)
	x, labels := syntheticBatch(rand.New(rand.NewPCG(100, 1)), 8, [3]int{detSide, detSide, 3}, 3)
	const steps = 3
	sp, err := a.Profile(x, labels, steps)
	if err != nil {
		t.Fatal(err)
	}
	for range steps + 1 { // Profile's untimed step, then the timed ones
		if _, err := b.Step(x, labels); err != nil {
			t.Fatal(err)
		}
	}
	identicalWeights(t, "profiled and plain steps", a.Graph(), b.Graph())

	if sp.Steps != steps {
		t.Errorf("Steps = %d, want %d", sp.Steps, steps)
	}
	counts := map[string]int{}
	var sum time.Duration
	for _, l := range sp.Layers {
		class := strings.Fields(l.Kind)[0]
		counts[class]++
		sum += l.Total()
		if l.Forward <= 0 && class != "Activation" { // a ReLU fused into its producer has no forward of its own
			t.Errorf("%s (%s): forward %v", l.Node, l.Kind, l.Forward)
		}
		hasWeights := class == "Conv2D" || class == "Dense"
		if hasWeights != (l.Weights > 0) {
			t.Errorf("%s (%s): weight gradient %v", l.Node, l.Kind, l.Weights)
		}
	}
	// residualNet: 6 convolutions, 6 BatchNormalizations, one Dense.
	if counts["Conv2D"] != 6 || counts["BatchNormalization"] != 6 || counts["Dense"] != 1 {
		t.Errorf("layers by class %v, want 6 Conv2D, 6 BatchNormalization, 1 Dense", counts)
	}
	if sp.Loss <= 0 || sp.Update <= 0 {
		t.Errorf("loss %v, update %v: want both timed", sp.Loss, sp.Update)
	}
	if got := sp.Total(); got != sum+sp.Loss+sp.Update {
		t.Errorf("Total = %v, want %v", got, sum+sp.Loss+sp.Update)
	}
	if _, err := a.Profile(x, labels, 0); err == nil {
		t.Error("Profile of 0 steps: no error")
	}
	if _, err := a.Profile(x, nil, 1); err == nil {
		t.Error("Profile without labels: no error")
	}
}

// TestProfileStep prints where a training step of the seed ResNet50 spends
// its wall time, by layer kind and part. It is a tool, not a check: set
// SIMDNET_PROFILE=1 to run it (simdnet bench train --profile prints the
// same by layer).
func TestProfileStep(t *testing.T) {
	if os.Getenv("SIMDNET_PROFILE") == "" {
		t.Skip("set SIMDNET_PROFILE=1 to profile a training step")
	}
	cfg := resnet.Config{Arch: "resnet50-seed", InputShape: resnet.SignsInput, Classes: resnet.SignsClasses}
	g, err := cfg.Build()
	if err != nil {
		t.Fatal(err)
	}
	tr, err := NewTrainer(g, NewAdam())
	if err != nil {
		t.Fatal(err)
	}
	x, labels := syntheticBatch(rand.New(rand.NewPCG(1, 2)), 32, cfg.InputShape, cfg.Classes)
	sp, err := tr.Profile(x, labels, 4)
	if err != nil {
		t.Fatal(err)
	}
	times := map[string]time.Duration{"loss": sp.Loss, "update": sp.Update}
	for _, l := range sp.Layers {
		times["fwd "+l.Kind] += l.Forward
		times["dW  "+l.Kind] += l.Weights
		times["bwd "+l.Kind] += l.Backward
	}
	var keys []string
	for k, v := range times {
		if v > 0 {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b string) int { return int(times[b] - times[a]) })
	total := sp.Total()
	for _, k := range keys {
		fmt.Printf("%-40s %8.1f ms/step %5.1f%%\n", k, float64(times[k].Microseconds())/1e3, 100*float64(times[k])/float64(total))
	}
	fmt.Printf("%-40s %8.1f ms/step\n", "total", float64(total.Microseconds())/1e3)
}
