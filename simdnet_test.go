package simdnet_test

import (
	"image"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simdnet/simdnet"
	"github.com/simdnet/simdnet/ops"
	"github.com/simdnet/simdnet/resnet"
	"github.com/simdnet/simdnet/weights"
)

// TestLoadMatchesGraph: the compiled model predicts what the unfused graph
// computes, from a file and from bytes, and names the classes.
func TestLoadMatchesGraph(t *testing.T) {
	cfg := resnet.Config{Arch: "resnet8", InputShape: [3]int{32, 32, 3}, Classes: 3, Seed: 5}
	g, err := cfg.Build()
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "m.safetensors")
	require.NoError(t, weights.Save(path, g, weights.WithArch(cfg), weights.WithClasses("a", "b", "c")))

	img := image.NewRGBA(image.Rect(0, 0, 32, 32))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 13)
	}
	x := ops.NewTensor(1, 32, 32, 3)
	ops.ImagePixels(x.Data, img, 32, 32)
	want, err := g.Forward(x, ops.Inference)
	require.NoError(t, err)

	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	fromBytes, err := simdnet.LoadBytes("m.safetensors", raw)
	require.NoError(t, err)
	fromFile, err := simdnet.Load(path)
	require.NoError(t, err)
	for _, m := range []*simdnet.Model{fromFile, fromBytes} {
		require.Equal(t, []string{"a", "b", "c"}, m.Classes())
		top, err := m.Predict(img)
		require.NoError(t, err)
		require.Len(t, top, 3)
		for _, p := range top {
			require.InDelta(t, want.Data[p.Index], p.Probability, 1e-5)
			require.Equal(t, []string{"a", "b", "c"}[p.Index], p.Class)
		}
		require.GreaterOrEqual(t, top[0].Probability, top[1].Probability)
	}
}

func TestLoadErrors(t *testing.T) {
	_, err := simdnet.Load(filepath.Join(t.TempDir(), "missing.safetensors"))
	require.Error(t, err)
	_, err = simdnet.LoadBytes("junk.safetensors", []byte("not a model"))
	require.ErrorContains(t, err, "junk.safetensors")
}
