package hdf5

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// signsDir is where the shared SIGNS data set lives, relative to this
// package directory (the working directory of go test).
var signsDir = filepath.Join("..", "..", "..", "shared", "data", "signs")

// TestSIGNS reads the real Keras-tutorial SIGNS files. The expected sums were
// computed once with h5py/numpy.
func TestSIGNS(t *testing.T) {
	if _, err := os.Stat(signsDir); err != nil {
		t.Skipf("SIGNS data not available at %s (%v); skipping", signsDir, err)
	}
	cases := []struct {
		file, prefix     string
		n                int
		sumY             int64
		sumFirst, sumAll uint64
		sumLast          uint64
	}{
		{"train_signs.h5", "train", 1080, 2700, 2139374, 2410274509, 2217513},
		{"test_signs.h5", "test", 120, 300, 2326154, 268289681, 2155456},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			f, err := Open(filepath.Join(signsDir, c.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			members, err := f.Root().Members()
			if want := []string{"list_classes", c.prefix + "_set_x", c.prefix + "_set_y"}; err != nil || !reflect.DeepEqual(members, want) {
				t.Errorf("Members = %v, %v; want %v", members, err, want)
			}
			x := mustDataset(t, f, c.prefix+"_set_x")
			if !reflect.DeepEqual(x.Shape(), []int{c.n, 64, 64, 3}) || x.Dtype().Kind != Uint || x.Dtype().Size != 1 {
				t.Fatalf("x: shape %v dtype %v", x.Shape(), x.Dtype())
			}
			px, err := x.ReadUint8()
			if err != nil {
				t.Fatal(err)
			}
			const img = 64 * 64 * 3
			if sum(px[:img]) != c.sumFirst || sum(px) != c.sumAll || sum(px[len(px)-img:]) != c.sumLast {
				t.Errorf("pixel sums first/all/last = %d/%d/%d, want %d/%d/%d",
					sum(px[:img]), sum(px), sum(px[len(px)-img:]), c.sumFirst, c.sumAll, c.sumLast)
			}
			y := mustDataset(t, f, c.prefix+"_set_y")
			labels, err := y.ReadInt64()
			if err != nil {
				t.Fatal(err)
			}
			var sy int64
			for _, l := range labels {
				if l < 0 || l > 5 {
					t.Fatalf("label %d outside 0..5", l)
				}
				sy += l
			}
			if len(labels) != c.n || sy != c.sumY || !reflect.DeepEqual(y.Shape(), []int{c.n}) {
				t.Errorf("labels: n=%d sum=%d shape %v; want n=%d sum=%d", len(labels), sy, y.Shape(), c.n, c.sumY)
			}
			classes, err := mustDataset(t, f, "list_classes").ReadInt64()
			if err != nil || !reflect.DeepEqual(classes, []int64{0, 1, 2, 3, 4, 5}) {
				t.Errorf("list_classes = %v, %v", classes, err)
			}
			// The float path used by the data loader must agree.
			xf, err := x.ReadFloat32()
			if err != nil || len(xf) != len(px) || xf[12345] != float32(px[12345]) {
				t.Errorf("ReadFloat32: %v", err)
			}
		})
	}
}

func sum(b []uint8) uint64 {
	var s uint64
	for _, v := range b {
		s += uint64(v)
	}
	return s
}
