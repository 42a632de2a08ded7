package simdnet_test

import (
	"context"
	"errors"
	"fmt"
	"image"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simdnet/simdnet"
	"github.com/simdnet/simdnet/resnet"
	"github.com/simdnet/simdnet/weights"
)

// concurrencyModel saves a small ResNet8 and loads it, with a few images
// of different sizes and what the model says about each on one goroutine.
func concurrencyModel(t *testing.T) (*simdnet.Model, string, []image.Image, [][]simdnet.Prediction) {
	cfg := resnet.Config{Arch: "resnet8", InputShape: [3]int{32, 32, 3}, Classes: 4, Seed: 9}
	g, err := cfg.Build()
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "m.safetensors")
	require.NoError(t, weights.Save(path, g, weights.WithArch(cfg)))
	m, err := simdnet.Load(path)
	require.NoError(t, err)
	var imgs []image.Image
	var want [][]simdnet.Prediction
	for i, size := range []int{32, 17, 45, 64} {
		img := image.NewRGBA(image.Rect(0, 0, size, size+i))
		for j := range img.Pix {
			img.Pix[j] = uint8(j*7 + i*31)
		}
		top, err := m.Predict(img)
		require.NoError(t, err)
		imgs, want = append(imgs, img), append(want, top)
	}
	return m, path, imgs, want
}

// TestModelConcurrentPredict: 64 goroutines share one Model (run it with
// -race); each gets exactly what one goroutine alone gets.
func TestModelConcurrentPredict(t *testing.T) {
	m, _, imgs, want := concurrencyModel(t)
	defer m.Close()
	const goroutines = 64
	rounds := 3
	if testing.Short() {
		rounds = 1
	}
	errs := make([]error, goroutines)
	var wg sync.WaitGroup
	for i := range goroutines {
		wg.Go(func() {
			for r := range rounds {
				k := (i + r) % len(imgs)
				top, err := m.Predict(imgs[k])
				if err != nil {
					errs[i] = err
					return
				}
				if fmt.Sprint(top) != fmt.Sprint(want[k]) {
					errs[i] = fmt.Errorf("image %d: got %v, want %v", k, top, want[k])
					return
				}
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "goroutine %d", i)
	}
}

// TestModelCloseDuringPredict: Close while goroutines predict in a loop.
// Each call either finishes with the right answer or returns ErrClosed,
// and after Close every call returns ErrClosed; nothing crashes.
func TestModelCloseDuringPredict(t *testing.T) {
	m, _, imgs, want := concurrencyModel(t)
	const goroutines = 16
	var started, calls atomic.Int64
	errs := make([]error, goroutines)
	var wg sync.WaitGroup
	for i := range goroutines {
		wg.Go(func() {
			started.Add(1)
			for r := 0; ; r++ {
				k := (i + r) % len(imgs)
				top, err := m.Predict(imgs[k])
				if errors.Is(err, simdnet.ErrClosed) {
					return
				}
				if err != nil {
					errs[i] = err
					return
				}
				calls.Add(1)
				if fmt.Sprint(top) != fmt.Sprint(want[k]) {
					errs[i] = fmt.Errorf("image %d: got %v, want %v", k, top, want[k])
					return
				}
			}
		})
	}
	for started.Load() < goroutines || calls.Load() < goroutines {
		runtime.Gosched()
	}
	require.NoError(t, m.Close())
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "goroutine %d", i)
	}
	_, err := m.Predict(imgs[0])
	require.ErrorIs(t, err, simdnet.ErrClosed)
	require.EqualError(t, err, "simdnet: model is closed")
	require.NoError(t, m.Close(), "a second Close")
}

// TestLoadContext: a done context stops Load with its error; a live one
// loads the same model as Load.
func TestLoadContext(t *testing.T) {
	m, path, imgs, want := concurrencyModel(t)
	defer m.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := simdnet.LoadContext(ctx, path)
	require.ErrorIs(t, err, context.Canceled)
	m2, err := simdnet.LoadContext(context.Background(), path)
	require.NoError(t, err)
	defer m2.Close()
	top, err := m2.Predict(imgs[1])
	require.NoError(t, err)
	require.Equal(t, want[1], top)
}
