package models

import (
	"slices"
	"strings"
	"testing"

	"github.com/simdnet/simdnet/ops"
)

func TestRegistry(t *testing.T) {
	calls := 0
	b := func(in [3]int, classes int, seed uint64) (*ops.Graph, error) {
		calls++
		g := ops.NewGraph(seed)
		x := g.Input("", in[:]...)
		g.SetOutput(g.Dense(g.Flatten(x), ops.DenseConfig{Units: classes}))
		return g, g.Build()
	}
	if err := Register("test-tiny", b); err != nil {
		t.Fatal(err)
	}
	if err := Register("test-tiny", b); err == nil {
		t.Error("Register replaced test-tiny")
	}
	if err := Register("", b); err == nil {
		t.Error("Register accepted an empty name")
	}
	if !slices.Contains(Names(), "test-tiny") {
		t.Errorf("Names() = %v", Names())
	}
	g, err := Build("test-tiny", [3]int{2, 2, 1}, 3, 0)
	if err != nil || calls != 1 {
		t.Fatalf("Build: %v (%d calls)", err, calls)
	}
	if total, _, _ := g.CountParams(); total != 4*3+3 {
		t.Errorf("built %d parameters, want 15", total)
	}
	if _, err := Build("test-tiny", [3]int{0, 2, 1}, 3, 0); err == nil || calls != 1 {
		t.Error("Build passed a zero input size to the builder")
	}
	if _, err := Build("test-tiny", [3]int{2, 2, 1}, 0, 0); err == nil || calls != 1 {
		t.Error("Build passed zero classes to the builder")
	}
	if _, err := Build("no-such-net", [3]int{2, 2, 1}, 3, 0); err == nil || !strings.Contains(err.Error(), "test-tiny") {
		t.Errorf("unknown architecture: %v, want an error listing the known ones", err)
	}
}
