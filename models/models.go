// Package models is the registry of built-in architectures: named graph
// builders that commands (--arch), model files and tests look up by name.
// Each architecture package registers its own: resnet its depths,
// mobilenet MobileNetV2 and its widths. A program sees the architectures of
// the packages it links; simdnet and cmd/simdnet link them all.
package models

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/simdnet/simdnet/ops"
)

// Builder builds a fresh, checked graph for per-sample inputs of
// inputShape (height, width, channels) and classes output classes, with
// initial weights drawn from seed.
type Builder func(inputShape [3]int, classes int, seed uint64) (*ops.Graph, error)

var (
	mu       sync.RWMutex
	builders = map[string]Builder{}
)

// Register adds a builder under a new name.
func Register(name string, b Builder) error {
	mu.Lock()
	defer mu.Unlock()
	if _, ok := builders[name]; ok || name == "" || b == nil {
		return fmt.Errorf("models: architecture name %q is empty or taken, or its builder is nil", name)
	}
	builders[name] = b
	return nil
}

// MustRegister is Register for built-in architectures, registered from
// init functions, where a clash is a programming error.
func MustRegister(name string, b Builder) {
	if err := Register(name, b); err != nil {
		panic(err)
	}
}

// Lookup returns the builder registered under name.
func Lookup(name string) (Builder, bool) {
	mu.RLock()
	defer mu.RUnlock()
	b, ok := builders[name]
	return b, ok
}

// Names lists the registered architectures, sorted.
func Names() []string {
	mu.RLock()
	defer mu.RUnlock()
	names := make([]string, 0, len(builders))
	for n := range builders {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Build builds the architecture registered under name, checking the input
// shape and classes first so that every builder gets sane numbers.
func Build(name string, inputShape [3]int, classes int, seed uint64) (*ops.Graph, error) {
	b, ok := Lookup(name)
	if !ok {
		return nil, fmt.Errorf("models: unknown architecture %q (have %s)", name, strings.Join(Names(), ", "))
	}
	for _, d := range inputShape {
		if d < 1 {
			return nil, fmt.Errorf("models: %s: input shape %v must be positive", name, inputShape)
		}
	}
	if classes < 1 {
		return nil, fmt.Errorf("models: %s: %d classes, want at least 1", name, classes)
	}
	return b(inputShape, classes, seed)
}
