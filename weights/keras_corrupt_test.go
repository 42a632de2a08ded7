package weights

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/simdnet/simdnet/weights/hdf5"
)

// TestCorruptKeras truncates and flips bytes of the Keras fixtures: opening
// or importing must fail cleanly or succeed, never panic, and a failed
// import must leave the model as it was.
func TestCorruptKeras(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "keras_weights.h5"))
	if err != nil {
		t.Fatal(err)
	}
	g := build(t, fixtureConfig)
	path := filepath.Join(t.TempDir(), "bad.h5")
	try := func(what string, b []byte) {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		before := snapshot(g)
		err := ImportKeras(path, g)
		if err == nil {
			return // a flip in weight data, or in bytes nobody reads
		}
		var he *hdf5.Error
		var me *MismatchError
		if !errors.As(err, &he) && !errors.As(err, &me) && !strings.HasPrefix(err.Error(), "weights: "+path) {
			t.Fatalf("%s: error %v does not name the file", what, err)
		}
		if !strings.Contains(err.Error(), "bad.h5") {
			t.Fatalf("%s: error %v does not name the file", what, err)
		}
		unchanged(t, g, before)
	}
	for n := 0; n < len(data); n += 1 + n/16 {
		try("truncated", data[:n])
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 300 {
		b := bytes.Clone(data)
		i := rng.IntN(len(b))
		b[i] ^= byte(1 + rng.IntN(255))
		try("flipped", b)
	}
}
