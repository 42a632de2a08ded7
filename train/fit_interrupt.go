package train

import (
	"context"
	"os"
	"os/signal"
)

// NotifyInterrupt returns a context that is cancelled at the first Ctrl-C
// (SIGINT), for FitConfig.Context: Fit then finishes its step, saves the
// checkpoint and returns ErrInterrupted. After that first signal the
// default handling is restored, so a second Ctrl-C ends the program at
// once. Call stop to release the signal when training is over.
//
// The package installs no handler by itself; a command line program opts
// in with
//
//	ctx, stop := train.NotifyInterrupt(context.Background())
//	defer stop()
//	h, err := train.Fit(t, trainSet, valSet, train.FitConfig{Context: ctx, ...})
//	if errors.Is(err, train.ErrInterrupted) { ... exit cleanly ... }
func NotifyInterrupt(parent context.Context) (ctx context.Context, stop context.CancelFunc) {
	ctx, stop = signal.NotifyContext(parent, os.Interrupt)
	go func() {
		<-ctx.Done()
		stop() // give the next Ctrl-C back to the default handler
	}()
	return ctx, stop
}
