package train

import (
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"
)

// barWidth is the number of characters between the brackets of Keras's
// progress bar.
const barWidth = 30

// refreshInterval throttles the live bar, as Keras's Progbar does, so a
// fast epoch does not spend its time redrawing the terminal.
const refreshInterval = 50 * time.Millisecond

// Metric is one named value shown after the progress bar.
type Metric struct {
	Name  string
	Value float64
}

// progress prints training progress exactly as Keras's Progbar (verbose=1)
// does:
//
//	Epoch 3/20
//	34/34 [==============================] - 12s 350ms/step - loss: 0.4321 - accuracy: 0.8611
//
// On a terminal the bar is redrawn in place with \r as batches finish,
// with an ETA instead of the totals; to a file or pipe only the finished
// line of each epoch is written.
type progress struct {
	w     io.Writer
	live  bool             // redraw with \r: w is a terminal
	now   func() time.Time // the clock, replaceable in tests
	total int              // batches in the epoch

	start     time.Time // of the epoch
	lastDraw  time.Time
	lastWidth int // of the previous live line, to blank its tail
}

// newProgress returns a printer for w, or nil when w is nil (silent).
func newProgress(w io.Writer) *progress {
	if w == nil {
		return nil
	}
	return &progress{w: w, live: isTerminal(w), now: time.Now}
}

// isTerminal reports whether w is a character device such as a terminal.
// It checks the file mode rather than asking the terminal driver, which
// keeps simdnet free of dependencies; the rare character device that is not
// a terminal (/dev/null) merely receives redraws nobody sees.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// beginEpoch prints the epoch header; epoch counts from 0. done is the
// number of batches already run, non-zero when resuming inside the epoch,
// and elapsed the time they took.
func (p *progress) beginEpoch(epoch, epochs, batches, done int, elapsed time.Duration) {
	if p == nil {
		return
	}
	fmt.Fprintf(p.w, "Epoch %d/%d\n", epoch+1, epochs)
	p.total = batches
	p.start = p.now().Add(-elapsed)
	p.lastDraw, p.lastWidth = time.Time{}, 0
	if done > 0 {
		p.update(done, nil)
	}
}

// update shows that current batches are done, on a terminal only.
func (p *progress) update(current int, metrics []Metric) {
	if p == nil || !p.live {
		return
	}
	now := p.now()
	if current < p.total && now.Sub(p.lastDraw) < refreshInterval {
		return
	}
	p.lastDraw = now
	p.draw(p.line(current, now.Sub(p.start), false, metrics), false)
}

// finish prints the epoch's final line with its totals and metrics.
func (p *progress) finish(metrics []Metric) {
	if p == nil {
		return
	}
	p.draw(p.line(p.total, p.now().Sub(p.start), true, metrics), true)
}

// draw writes line, over the previous one on a terminal.
func (p *progress) draw(line string, final bool) {
	if p.live {
		// Blank whatever the previous, longer line left behind.
		pad := strings.Repeat(" ", max(0, p.lastWidth-len(line)))
		p.lastWidth = len(line)
		line = "\r" + line + pad
	}
	if final {
		line += "\n"
	}
	io.WriteString(p.w, line)
}

// line formats the bar and metrics after current of p.total batches and
// elapsed time: totals when final, else an ETA.
func (p *progress) line(current int, elapsed time.Duration, final bool, metrics []Metric) string {
	var b strings.Builder
	digits := len(fmt.Sprint(p.total))
	fmt.Fprintf(&b, "%*d/%d %s", digits, current, p.total, bar(current, p.total))
	sec := elapsed.Seconds()
	perStep := 0.0
	if current > 0 {
		perStep = sec / float64(current)
	}
	if final {
		fmt.Fprintf(&b, " - %.0fs %s/step", sec, stepTime(perStep))
	} else {
		fmt.Fprintf(&b, " - ETA: %s", eta(perStep*float64(p.total-current)))
	}
	for _, m := range metrics {
		b.WriteString(" - " + m.Name + ": " + metricValue(m.Value))
	}
	return b.String()
}

// bar draws Keras's [=====>......] for current of total.
func bar(current, total int) string {
	filled := 0
	if total > 0 {
		filled = min(barWidth, barWidth*current/total)
	}
	var b strings.Builder
	b.WriteByte('[')
	if filled > 0 {
		b.WriteString(strings.Repeat("=", filled-1))
		if current < total {
			b.WriteByte('>')
		} else {
			b.WriteByte('=')
		}
	}
	b.WriteString(strings.Repeat(".", barWidth-filled))
	b.WriteByte(']')
	return b.String()
}

// stepTime formats the time per step in the unit Keras picks: s from one
// second up, else ms, else us.
func stepTime(sec float64) string {
	switch {
	case sec >= 1 || sec == 0:
		return fmt.Sprintf("%.0fs", sec)
	case sec >= 1e-3:
		return fmt.Sprintf("%.0fms", sec*1e3)
	default:
		return fmt.Sprintf("%.0fus", sec*1e6)
	}
}

// eta formats the remaining time as Keras does: 1:02:03, 2:03 or 45s,
// truncating to whole seconds.
func eta(sec float64) string {
	s := int(sec)
	switch {
	case sec > 3600:
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s%3600/60, s%60)
	case sec > 60:
		return fmt.Sprintf("%d:%02d", s/60, s%60)
	default:
		return fmt.Sprintf("%ds", s)
	}
}

// metricValue formats a metric as Keras does: four decimals, or four
// significant digits in exponent form for tiny values.
func metricValue(v float64) string {
	if math.Abs(v) > 1e-3 {
		return fmt.Sprintf("%.4f", v)
	}
	return fmt.Sprintf("%.4e", v)
}

// abort ends a live bar's line when an epoch stops before its end, so
// that what is printed next starts on a line of its own.
func (p *progress) abort() {
	if p != nil && p.live && p.lastWidth > 0 {
		io.WriteString(p.w, "\n")
		p.lastWidth = 0
	}
}
