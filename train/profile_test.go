package train

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/resnet"
)

// TestProfileStep prints where a training step of the seed ResNet50 spends
// its CPU time (all threads; the machine may be shared, so not wall time), by layer kind and pass. It is a tool, not a check: set
// SIMDNET_PROFILE=1 to run it.
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
	if _, err := tr.Step(x, labels); err != nil {
		t.Fatal(err)
	}
	p := tr.plan
	ws := tr.spaces.get(p, 32)
	times := map[string]time.Duration{}
	const steps = 4
	for range steps {
		ws.out[p.input.ID] = x
		for _, nd := range p.nodes {
			if nd == p.input || p.fusedBy[nd.ID] != noNode {
				continue
			}
			ins := ws.ins[nd.ID]
			for i, in := range nd.Inputs {
				ins[i] = ws.out[in.ID]
			}
			start := cpuTime()
			if err := p.forwardNode(ws, nd, ins, ops.Training); err != nil {
				t.Fatal(err)
			}
			times["fwd "+kind(nd)] += cpuTime() - start
		}
		if _, err := tr.loss(ws, ws.out[p.output.ID], labels, ws.ownGrad(p, p.output)); err != nil {
			t.Fatal(err)
		}
		for i := len(p.nodes) - 1; i >= 0; i-- {
			nd := p.nodes[i]
			if nd == p.input || !p.needGrad[nd.ID] {
				continue
			}
			start := cpuTime()
			p.backwardNode(ws, nd)
			times["bwd "+kind(nd)] += cpuTime() - start
		}
		start := cpuTime()
		tr.opt.Update(p.params, p.grads)
		times["update"] += cpuTime() - start
	}
	var keys []string
	var total time.Duration
	for k, v := range times {
		keys = append(keys, k)
		total += v
	}
	slices.SortFunc(keys, func(a, b string) int { return int(times[b] - times[a]) })
	for _, k := range keys {
		fmt.Printf("%-36s %8.1f cpu-ms/step %5.1f%%\n", k, float64(times[k].Microseconds())/1e3/steps, 100*float64(times[k])/float64(total))
	}
	fmt.Printf("%-36s %8.1f cpu-ms/step\n", "total", float64(total.Microseconds())/1e3/steps)
}

// kind names a node's layer for the profile: convolutions by window,
// stride and stage (channels), fused layers with their ReLU.
func kind(nd *ops.Node) string {
	switch l := nd.Layer.(type) {
	case *ops.Conv2D:
		return fmt.Sprintf("Conv2D %dx%d/s%d c%d→%d", l.KernelSize[0], l.KernelSize[1], l.Strides[0], l.InChannels(), l.Filters)
	case *ops.Activation:
		return "Activation " + l.Func.String()
	}
	return nd.Layer.Class()
}
