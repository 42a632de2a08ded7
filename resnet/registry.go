package resnet

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/simdnet/simdnet/models"
	"github.com/simdnet/simdnet/ops"
)

// The SIGNS data set: 64×64 RGB images of six hand signs.
var SignsInput = [3]int{64, 64, 3}

const SignsClasses = 6

var (
	registryMu sync.RWMutex
	registry   = map[string]Arch{
		"resnet8":       Arch8,
		"resnet18":      Arch18,
		"resnet34":      Arch34,
		"resnet50":      Standard,
		"resnet50-seed": Seed,
		"resnet101":     Arch101,
		"resnet152":     Arch152,
	}
)

// The built-in depths are in the general registry too, so that commands
// and model files find every architecture in one place.
func init() {
	for name, a := range registry {
		models.MustRegister(name, builder(a))
	}
}

// builder is a's graph builder for the general registry.
func builder(a Arch) models.Builder {
	return func(inputShape [3]int, classes int, seed uint64) (*ops.Graph, error) {
		return New(a, inputShape, classes, seed)
	}
}

// Register adds an architecture under a new name, here and in the general
// registry (package models), whose names it must not take either.
func Register(name string, a Arch) error {
	if err := a.Validate(); err != nil {
		return err
	}
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, ok := registry[name]; ok || name == "" {
		return fmt.Errorf("resnet: architecture name %q is empty or taken", name)
	}
	a = a.Clone()
	if err := models.Register(name, builder(a.Clone())); err != nil {
		return fmt.Errorf("resnet: %w", err)
	}
	registry[name] = a
	return nil
}

// Lookup returns a copy of the architecture registered under name:
// "resnet8", "resnet18", "resnet34", "resnet50" (Standard), "resnet50-seed" (Seed),
// "resnet101", "resnet152", or one added by Register.
func Lookup(name string) (Arch, bool) {
	registryMu.RLock()
	defer registryMu.RUnlock()
	a, ok := registry[name]
	return a.Clone(), ok
}

// Names lists the registered architectures, sorted.
func Names() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Config names a model completely: with it a weights file can rebuild the
// graph its weights belong to, and a fresh model is reproducible. Arch is
// any name in the general registry (package models), a ResNet's or not.
type Config struct {
	Arch       string `json:"arch"`        // a registered name, e.g. "resnet50-seed", "mobilenetv2"
	InputShape [3]int `json:"input_shape"` // height, width, channels
	Classes    int    `json:"classes"`
	Seed       uint64 `json:"seed"` // of the initial weights
}

// Build builds the configured model from the general registry, which holds
// the ResNets and every architecture the program links (simdnet and
// cmd/simdnet link MobileNetV2).
func (c Config) Build() (*ops.Graph, error) {
	if _, ok := models.Lookup(c.Arch); !ok {
		return nil, fmt.Errorf("resnet: unknown architecture %q (have %s)", c.Arch, strings.Join(models.Names(), ", "))
	}
	return models.Build(c.Arch, c.InputShape, c.Classes, c.Seed)
}
