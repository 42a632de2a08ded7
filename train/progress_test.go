package train

import (
	"bytes"
	"testing"
	"time"
)

// manualClock is a clock the test moves by hand.
type manualClock struct{ t time.Time }

func (c *manualClock) now() time.Time          { return c.t }
func (c *manualClock) advance(d time.Duration) { c.t = c.t.Add(d) }

// Written to a file or pipe, each epoch is its header and one finished
// line, character for character as Keras prints them.
func TestProgressGoldenNonTTY(t *testing.T) {
	var out bytes.Buffer
	clock := &manualClock{t: time.Unix(1e9, 0)}
	p := &progress{w: &out, now: clock.now}
	p.beginEpoch(2, 20, 34, 0, 0)
	for b := 1; b <= 34; b++ {
		clock.advance(350 * time.Millisecond)
		p.update(b, []Metric{{"loss", 1}})
	}
	p.finish([]Metric{{"loss", 0.43214}, {"accuracy", 0.86111}, {"val_loss", 0.00012345}, {"val_accuracy", 0.8}})
	// A resumed epoch: 3 of 9 batches took 1.5s before the interruption.
	p.beginEpoch(3, 20, 9, 3, 1500*time.Millisecond)
	clock.advance(3 * time.Second)
	p.finish([]Metric{{"loss", 0.5}})
	want := "Epoch 3/20\n" +
		"34/34 [==============================] - 12s 350ms/step - loss: 0.4321 - accuracy: 0.8611 - val_loss: 1.2345e-04 - val_accuracy: 0.8000\n" +
		"Epoch 4/20\n" +
		"9/9 [==============================] - 4s 500ms/step - loss: 0.5000\n"
	if got := out.String(); got != want {
		t.Errorf("progress output\n%q\nwant\n%q", got, want)
	}
}

// On a terminal the bar is redrawn in place, with an ETA until the end.
func TestProgressLive(t *testing.T) {
	var out bytes.Buffer
	clock := &manualClock{t: time.Unix(1e9, 0)}
	p := &progress{w: &out, live: true, now: clock.now}
	p.beginEpoch(0, 1, 4, 0, 0)
	clock.advance(2 * time.Second)
	p.update(1, []Metric{{"loss", 2}})
	clock.advance(10 * time.Millisecond)
	p.update(2, []Metric{{"loss", 2}}) // within 50ms of the last draw: skipped
	clock.advance(990 * time.Millisecond)
	p.finish([]Metric{{"loss", 1}})
	want := "Epoch 1/1\n" +
		"\r1/4 [======>.......................] - ETA: 6s - loss: 2.0000" +
		"\r4/4 [==============================] - 3s 750ms/step - loss: 1.0000\n"
	if got := out.String(); got != want {
		t.Errorf("live output\n%q\nwant\n%q", got, want)
	}
}

func TestProgressPieces(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{bar(0, 34), "[" + dots(30) + "]"},
		{bar(17, 34), "[==============>" + dots(15) + "]"},
		{eta(3725), "1:02:05"},
		{eta(125.9), "2:05"},
		{eta(59.9), "59s"},
		{stepTime(2.4), "2s"},
		{stepTime(0.35), "350ms"},
		{stepTime(0.0002), "200us"},
		{metricValue(-0.5), "-0.5000"},
		{metricValue(0), "0.0000e+00"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func dots(n int) string { return string(bytes.Repeat([]byte{'.'}, n)) }

func TestNilProgressIsSilent(t *testing.T) {
	var p *progress = newProgress(nil)
	p.beginEpoch(0, 1, 1, 0, 0)
	p.update(1, nil)
	p.finish(nil)
}
