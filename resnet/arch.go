package resnet

import (
	"fmt"
	"slices"
)

// BlockKind is the residual block a network is made of.
type BlockKind uint8

const (
	// Bottleneck is 1×1 → f×f → 1×1 convolutions (ResNet50 and deeper),
	// Filters = [F1, F2, F3].
	Bottleneck BlockKind = iota
	// Basic is two f×f convolutions (ResNet18/34), Filters = [F, F].
	Basic
)

func (k BlockKind) String() string {
	if k == Basic {
		return "basic"
	}
	return "bottleneck"
}

// filters is how many filter counts a block of this kind takes.
func (k BlockKind) filters() int {
	if k == Basic {
		return 2
	}
	return 3
}

// Stage is one group of residual blocks working at one resolution.
type Stage struct {
	Filters []int // per block: F1, F2, F3 (Bottleneck) or F, F (Basic)
	Blocks  int   // the first may change shape, the others are identity blocks
	Stride  int   // stride of the first block

	// IdentityFilters, when set, replaces Filters for the identity blocks
	// (all but the first), as the tutorial's seed code does in stage 5.
	IdentityFilters []int
}

// blockFilters returns the filter counts of block b.
func (s *Stage) blockFilters(b int) []int {
	if b > 0 && s.IdentityFilters != nil {
		return s.IdentityFilters
	}
	return s.Filters
}

// Arch is a residual network's layout: stages 2, 3, ... after the stem.
type Arch struct {
	Name   string // the Keras model name, e.g. "ResNet50"
	Block  BlockKind
	Stages []Stage
}

// The tutorial's ResNet50 and its variant.
var (
	// Standard is ResNet50 as published: 23,600,006 parameters (53,120 of
	// them non-trainable) for 64×64×3 inputs and 6 classes.
	Standard = Arch{Name: "ResNet50", Block: Bottleneck, Stages: []Stage{
		{Filters: []int{64, 64, 256}, Blocks: 3, Stride: 1},
		{Filters: []int{128, 128, 512}, Blocks: 4, Stride: 2},
		{Filters: []int{256, 256, 1024}, Blocks: 6, Stride: 2},
		{Filters: []int{512, 512, 2048}, Blocks: 3, Stride: 2},
	}}
	// Seed is the ResNet50 of the tutorial's seed code, whose stage-5
	// identity blocks (5b, 5c) use [256, 256, 2048] filters: 17,958,790
	// parameters (51,072 non-trainable) for 64×64×3 inputs and 6 classes.
	Seed = Arch{Name: "ResNet50", Block: Bottleneck, Stages: []Stage{
		{Filters: []int{64, 64, 256}, Blocks: 3, Stride: 1},
		{Filters: []int{128, 128, 512}, Blocks: 4, Stride: 2},
		{Filters: []int{256, 256, 1024}, Blocks: 6, Stride: 2},
		{Filters: []int{512, 512, 2048}, Blocks: 3, Stride: 2, IdentityFilters: []int{256, 256, 2048}},
	}}
)

// The other depths of He et al.'s table 1, with the tutorial's stem, head
// and layer names.
var (
	Arch18  = basicArch("ResNet18", 2, 2, 2, 2)
	Arch34  = basicArch("ResNet34", 3, 4, 6, 3)
	Arch101 = bottleneckArch("ResNet101", 3, 4, 23, 3)
	Arch152 = bottleneckArch("ResNet152", 3, 8, 36, 3)
)

// Arch8 is a small ResNet for laptops and CI: the tutorial's stem and head
// around three stages of one basic block each, with 16, 32 and 64 filters
// (97,174 parameters for SIGNS). It learns SIGNS in a few epochs.
var Arch8 = Arch{Name: "ResNet8", Block: Basic, Stages: []Stage{
	{Filters: []int{16, 16}, Blocks: 1, Stride: 1},
	{Filters: []int{32, 32}, Blocks: 1, Stride: 2},
	{Filters: []int{64, 64}, Blocks: 1, Stride: 2},
}}

func basicArch(name string, blocks ...int) Arch {
	a := Arch{Name: name, Block: Basic}
	for i, n := range blocks {
		f := 64 << i
		a.Stages = append(a.Stages, Stage{Filters: []int{f, f}, Blocks: n, Stride: min(i+1, 2)})
	}
	return a
}

func bottleneckArch(name string, blocks ...int) Arch {
	a := Arch{Name: name, Block: Bottleneck}
	for i, n := range blocks {
		f := 64 << i
		a.Stages = append(a.Stages, Stage{Filters: []int{f, f, 4 * f}, Blocks: n, Stride: min(i+1, 2)})
	}
	return a
}

// Depth counts the weighted layers on the main path: conv1, the block
// convolutions and the classifier (50 for ResNet50).
func (a Arch) Depth() int {
	d := 2
	for _, s := range a.Stages {
		d += s.Blocks * a.Block.filters()
	}
	return d
}

// Clone returns a copy of a that shares no slices with it.
func (a Arch) Clone() Arch {
	a.Stages = slices.Clone(a.Stages)
	for i := range a.Stages {
		a.Stages[i].Filters = slices.Clone(a.Stages[i].Filters)
		a.Stages[i].IdentityFilters = slices.Clone(a.Stages[i].IdentityFilters)
	}
	return a
}

// Validate reports a layout that cannot be built.
func (a Arch) Validate() error {
	if a.Block != Bottleneck && a.Block != Basic {
		return fmt.Errorf("resnet: %s: unknown block kind %d", a.Name, a.Block)
	}
	if len(a.Stages) == 0 {
		return fmt.Errorf("resnet: %s: no stages", a.Name)
	}
	for i, s := range a.Stages {
		for _, fs := range [][]int{s.Filters, s.IdentityFilters} {
			if fs == nil && len(s.Filters) > 0 {
				continue // no identity override
			}
			if len(fs) != a.Block.filters() {
				return fmt.Errorf("resnet: %s: stage %d has filters %v, a %v block takes %d counts", a.Name, i+2, fs, a.Block, a.Block.filters())
			}
			if slices.ContainsFunc(fs, func(f int) bool { return f < 1 }) {
				return fmt.Errorf("resnet: %s: stage %d: filters %v must be positive", a.Name, i+2, fs)
			}
		}
		if s.Blocks < 1 || s.Stride < 1 {
			return fmt.Errorf("resnet: %s: stage %d: %d blocks, stride %d must be positive", a.Name, i+2, s.Blocks, s.Stride)
		}
	}
	return nil
}
