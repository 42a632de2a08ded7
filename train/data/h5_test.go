package data

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestFindSetPair(t *testing.T) {
	x, y, err := findSetPair("dev.h5", []string{"list_classes", "dev_set_x", "dev_set_y"})
	if err != nil || x != "dev_set_x" || y != "dev_set_y" {
		t.Errorf("dev pair: %q %q %v", x, y, err)
	}
	// An x without its y is not a pair.
	if _, _, err := findSetPair("f.h5", []string{"train_set_x", "test_set_y"}); err == nil || !strings.Contains(err.Error(), "f.h5") {
		t.Errorf("no pair: err = %v, want one naming f.h5", err)
	}
	if _, _, err := findSetPair("f.h5", []string{"a_set_x", "a_set_y", "b_set_x", "b_set_y"}); err == nil || !strings.Contains(err.Error(), "[a b]") {
		t.Errorf("two pairs: err = %v, want one listing them", err)
	}
}

func TestLabelIndices(t *testing.T) {
	labels, names, err := labelIndices([]int64{3, 0, 3}, nil, 10)
	if err != nil || !slices.Equal(labels, []int{3, 0, 3}) || !slices.Equal(names, []string{"0", "1", "2", "3"}) {
		t.Errorf("without list_classes: %v %v %v", labels, names, err)
	}
	labels, names, err = labelIndices([]int64{7, 5}, []int64{5, 7}, 10)
	if err != nil || !slices.Equal(labels, []int{1, 0}) || !slices.Equal(names, []string{"5", "7"}) {
		t.Errorf("with list_classes: %v %v %v", labels, names, err)
	}
	if _, _, err := labelIndices([]int64{9}, []int64{5, 7}, 10); err == nil || !strings.Contains(err.Error(), "label 9") {
		t.Errorf("unknown label: err = %v", err)
	}
}

func TestLoadH5Missing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.h5")
	if _, err := LoadH5(path); err == nil || !strings.Contains(err.Error(), "nope.h5") {
		t.Errorf("missing file: err = %v, want one naming it", err)
	}
}
