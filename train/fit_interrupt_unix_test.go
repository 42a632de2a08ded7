//go:build unix

package train

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestNotifyInterruptSIGTERM: a SIGTERM interrupts as Ctrl-C does, and the
// context's cause, wrapped by Fit's error, says which signal it was.
func TestNotifyInterruptSIGTERM(t *testing.T) {
	ctx, stop := NotifyInterrupt(context.Background())
	defer stop()
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Skipf("cannot signal myself: %v", err)
	}
	<-ctx.Done()
	var sig *InterruptSignal
	if !errors.As(context.Cause(ctx), &sig) || sig.Signal != syscall.SIGTERM {
		t.Fatalf("cause %v, want SIGTERM", context.Cause(ctx))
	}
	cfg := fitConfig(1, filepath.Join(t.TempDir(), "run.ckpt"))
	cfg.Context = ctx
	_, err := Fit(tinyModel(t, 1), tinyData(8, 1), nil, cfg)
	if !errors.Is(err, ErrInterrupted) || !errors.As(err, &sig) || sig.Signal != syscall.SIGTERM {
		t.Errorf("Fit after SIGTERM: %v, want ErrInterrupted wrapping the signal", err)
	}
}
