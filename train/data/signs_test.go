package data

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// signsDir is the shared SIGNS data set, relative to this package's
// directory (go test's working directory). It is never copied into the
// repository.
var signsDir = filepath.Join("..", "..", "..", "shared", "data", "signs")

// needSIGNS skips the test when the shared data set is absent.
func needSIGNS(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(signsDir); err != nil {
		t.Skipf("SIGNS data not available at %s (%v); skipping", signsDir, err)
	}
}

func TestLoadSIGNS(t *testing.T) {
	needSIGNS(t)
	train, test, err := LoadSIGNS(signsDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		d      *Dataset
		n      int
		counts []int
	}{
		{"train", train, 1080, []int{180, 180, 180, 180, 180, 180}},
		{"test", test, 120, []int{20, 20, 20, 20, 20, 20}},
	} {
		if c.d.Len() != c.n || c.d.Shape() != [3]int{64, 64, 3} || len(c.d.Pixels) != c.n*64*64*3 {
			t.Errorf("%s: %d images of %v, %d pixels", c.name, c.d.Len(), c.d.Shape(), len(c.d.Pixels))
		}
		if want := []string{"0", "1", "2", "3", "4", "5"}; !slices.Equal(c.d.Classes, want) {
			t.Errorf("%s: classes %v, want %v", c.name, c.d.Classes, want)
		}
		if got := c.d.ClassCounts(); !slices.Equal(got, c.counts) {
			t.Errorf("%s: class counts %v, want %v", c.name, got, c.counts)
		}
		if c.d.MaxValue != 255 {
			t.Errorf("%s: MaxValue %g", c.name, c.d.MaxValue)
		}
	}
	// The first training image's pixel sum, as the hdf5 package's own test
	// has it from h5py.
	var sum int
	for _, p := range train.Pixels[:64*64*3] {
		sum += int(p)
	}
	if sum != 2139374 {
		t.Errorf("first image pixel sum %d, want 2139374", sum)
	}
}

// The flat folder export of the test split holds the same 120 photos as
// test_signs.h5, so the label histograms must agree.
func TestLoadFolderSIGNSTest(t *testing.T) {
	needSIGNS(t)
	folder, err := LoadFolder(filepath.Join(signsDir, "test"), FolderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	h5, err := LoadH5(filepath.Join(signsDir, "test_signs.h5"))
	if err != nil {
		t.Fatal(err)
	}
	if folder.Len() != 120 || folder.Shape() != [3]int{64, 64, 3} {
		t.Fatalf("folder: %d images of %v, want 120 of 64×64×3", folder.Len(), folder.Shape())
	}
	if !slices.Equal(folder.Classes, h5.Classes) || !slices.Equal(folder.ClassCounts(), h5.ClassCounts()) {
		t.Errorf("folder classes %v counts %v; h5 classes %v counts %v",
			folder.Classes, folder.ClassCounts(), h5.Classes, h5.ClassCounts())
	}
}
