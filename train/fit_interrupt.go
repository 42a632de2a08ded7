package train

import (
	"context"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// InterruptSignal is the cause (context.Cause) of a context NotifyInterrupt
// cancelled, and is wrapped in Fit's ErrInterrupted error: the signal that
// arrived. A command exits with 128 + its number, the shell's convention
// (130 for SIGINT, 143 for SIGTERM).
type InterruptSignal struct{ Signal os.Signal }

func (e *InterruptSignal) Error() string { return "received " + e.Signal.String() }

// interruptSignals are the requests to stop that Fit honours: Ctrl-C, and
// the polite kill of service managers and job schedulers.
var interruptSignals = []os.Signal{os.Interrupt, syscall.SIGTERM}

// NotifyInterrupt returns a context that is cancelled at the first Ctrl-C
// (SIGINT) or SIGTERM, for FitConfig.Context: Fit then finishes its step,
// saves the checkpoint and returns ErrInterrupted, wrapping an
// *InterruptSignal. After that first signal the default handling is
// restored, so a second one ends the program at once. Call stop to release
// the signals when training is over.
//
// The package installs no handler by itself; a command line program opts
// in with
//
//	ctx, stop := train.NotifyInterrupt(context.Background())
//	defer stop()
//	h, err := train.Fit(t, trainSet, valSet, train.FitConfig{Context: ctx, ...})
//	if errors.Is(err, train.ErrInterrupted) { ... exit cleanly ... }
func NotifyInterrupt(parent context.Context) (ctx context.Context, stop context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(parent)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, interruptSignals...)
	released := make(chan struct{})
	var once sync.Once
	stop = func() {
		once.Do(func() {
			signal.Stop(ch)
			close(released)
			cancel(context.Canceled)
		})
	}
	go func() {
		select {
		case sig := <-ch:
			signal.Stop(ch) // give the next signal back to the default handler
			cancel(&InterruptSignal{Signal: sig})
		case <-released:
		case <-ctx.Done(): // the parent's cancellation
		}
	}()
	return ctx, stop
}
